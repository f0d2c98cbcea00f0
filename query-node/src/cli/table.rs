//! Printing result rows as a table for people.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// A table with `headers` and `rows` (`None` prints as `NULL`), followed by the row count.
pub fn format_table(headers: &[String], rows: &[Vec<Option<String>>]) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers);
    for row in rows {
        table.add_row(
            row.iter()
                .map(|v| v.clone().unwrap_or_else(|| "NULL".to_string()))
                .collect::<Vec<_>>(),
        );
    }
    let n = rows.len();
    format!("{table}\n({n} row{})", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_headers_values_nulls_and_count() {
        let t = format_table(
            &["city".into(), "n".into()],
            &[vec![Some("Lisboa".into()), None]],
        );
        assert!(t.contains("city") && t.contains("Lisboa") && t.contains("NULL"));
        assert!(t.ends_with("(1 row)"));
    }
}
