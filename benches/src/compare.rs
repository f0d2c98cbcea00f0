//! Comparing two results row by row, as the Postgres text of every value.

/// Rows as Postgres text (`None` is SQL NULL).
pub type TextRows = Vec<Vec<Option<String>>>;

/// Why two results differ, for the first difference found; `None` when they are equal.
pub fn first_difference(postgres: &TextRows, docfusion: &TextRows) -> Option<String> {
    for (index, (p, d)) in postgres.iter().zip(docfusion).enumerate() {
        if p != d {
            return Some(format!(
                "row {}: Postgres {} vs DocFusionDB {}",
                index + 1,
                show_row(p),
                show_row(d)
            ));
        }
    }
    if postgres.len() != docfusion.len() {
        return Some(format!(
            "Postgres returned {} rows, DocFusionDB {}",
            postgres.len(),
            docfusion.len()
        ));
    }
    None
}

/// A row as `(a, NULL, c)`, long values shortened so a message stays readable.
fn show_row(row: &[Option<String>]) -> String {
    const MAX_CHARS: usize = 120;
    let values: Vec<String> = row
        .iter()
        .map(|value| match value {
            None => "NULL".to_string(),
            Some(text) if text.chars().count() > MAX_CHARS => {
                let head: String = text.chars().take(MAX_CHARS).collect();
                format!("{head:?}…")
            }
            Some(text) => format!("{text:?}"),
        })
        .collect();
    format!("({})", values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[&[Option<&str>]]) -> TextRows {
        values
            .iter()
            .map(|row| row.iter().map(|v| v.map(str::to_string)).collect())
            .collect()
    }

    #[test]
    fn equal_results_have_no_difference() {
        let a = rows(&[&[Some("Paris"), Some("3")], &[Some("Nice"), None]]);
        assert_eq!(first_difference(&a, &a.clone()), None);
    }

    #[test]
    fn names_the_first_differing_row() {
        let a = rows(&[&[Some("a"), Some("1")], &[Some("b"), Some("2")]]);
        let b = rows(&[&[Some("a"), Some("1")], &[Some("b"), None]]);
        assert_eq!(
            first_difference(&a, &b).unwrap(),
            r#"row 2: Postgres ("b", "2") vs DocFusionDB ("b", NULL)"#
        );
    }

    #[test]
    fn a_missing_row_is_a_difference() {
        let a = rows(&[&[Some("a")], &[Some("b")]]);
        let b = rows(&[&[Some("a")]]);
        assert_eq!(
            first_difference(&a, &b).unwrap(),
            "Postgres returned 2 rows, DocFusionDB 1"
        );
        assert!(first_difference(&b, &a).is_some());
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(500);
        let shown = show_row(&[Some(long)]);
        assert!(shown.len() < 200, "{shown}");
        assert!(shown.ends_with("…)"));
    }
}
