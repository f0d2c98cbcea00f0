//! The benchmark's queries: analytic SQL over the listings, written once in Postgres'
//! dialect and run unchanged on both sides. Every query orders its whole output and keeps
//! floating-point results exact (min/max of stored values) or rounded on the float side
//! (`round(x * 100) / 100`), so both answers compare as text.

/// One query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchQuery {
    /// Short name (the `--query` filter and the table's first column).
    pub name: &'static str,
    /// What it exercises.
    pub what: &'static str,
    /// The SQL, the same text on both sides (Postgres' text when the next is given).
    pub sql: &'static str,
    /// DocFusionDB's spelling, when its dialect needs another one than [`BenchQuery::sql`].
    pub docfusion_sql: Option<&'static str>,
}

impl BenchQuery {
    /// The SQL DocFusionDB runs.
    pub fn docfusion_sql(&self) -> &'static str {
        self.docfusion_sql.unwrap_or(self.sql)
    }
}

/// Every query, in the order they run.
pub const QUERIES: &[BenchQuery] = &[
    BenchQuery {
        name: "count_all",
        what: "COUNT(*) over the whole collection",
        sql: "SELECT count(*) AS n FROM listings",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "point_read",
        what: "one document by id (primary key)",
        sql: "SELECT id, doc FROM listings WHERE id = 'lst-000777'",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "city_counts",
        what: "GROUP BY a nested path doc->'address'->>'city'",
        sql: "SELECT doc->'address'->>'city' AS city, count(*) AS n \
              FROM listings GROUP BY doc->'address'->>'city' ORDER BY n DESC, city",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "price_by_room_type",
        what: "min/max/avg over (doc->>'price')::float8, GROUP BY ->>",
        sql: "SELECT doc->>'room_type' AS room_type, count(*) AS n, \
                     min((doc->>'price')::float8) AS min_price, \
                     max((doc->>'price')::float8) AS max_price, \
                     round(avg((doc->>'price')::float8) * 100) / 100 AS avg_price \
              FROM listings GROUP BY doc->>'room_type' ORDER BY room_type",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "filter_casts",
        what: "WHERE on ::int and ::float8 casts of ->>, SUM of an ::int",
        sql: "SELECT count(*) AS n, sum((doc->>'accommodates')::int) AS guests \
              FROM listings \
              WHERE (doc->>'bedrooms')::int >= 3 AND (doc->>'price')::float8 < 250",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "superhost_room_types",
        what: "WHERE on a ::boolean cast of a nested path, GROUP BY",
        sql: "SELECT doc->>'room_type' AS room_type, count(*) AS n \
              FROM listings WHERE (doc->'host'->>'superhost')::boolean \
              GROUP BY doc->>'room_type' ORDER BY room_type",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "contains_count",
        what: "@> containment (GIN jsonb_path_ops), COUNT",
        sql: "SELECT count(*) AS n FROM listings \
              WHERE doc @> '{\"address\": {\"city\": \"Paris\"}, \"instant_bookable\": true}'",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "contains_rows",
        what: "selective @> on an array element, returning rows",
        sql: "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price \
              FROM listings \
              WHERE doc @> '{\"address\": {\"city\": \"Nice\"}, \"amenities\": [\"Pool\"]}' \
              ORDER BY id",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "has_key_missing",
        what: "? key existence (documents without bedrooms)",
        sql: "SELECT count(*) AS n FROM listings WHERE NOT (doc ? 'bedrooms')",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "description_like",
        what: "LIKE on a long text field",
        sql: "SELECT count(*) AS n FROM listings WHERE doc->>'description' LIKE '%rooftop terrace%'",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "distinct_hosts",
        what: "COUNT(DISTINCT nested path) per country",
        sql: "SELECT doc->'address'->>'country' AS country, \
                     count(DISTINCT doc->'host'->>'id') AS hosts, count(*) AS n \
              FROM listings GROUP BY doc->'address'->>'country' ORDER BY country",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "top10_price",
        what: "top-k: filter, ORDER BY a cast path DESC, LIMIT 10",
        sql: "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price \
              FROM listings WHERE doc->>'room_type' = 'Entire home/apt' \
              ORDER BY price DESC, id LIMIT 10",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "top3_per_city",
        what: "window function: rank() OVER (PARTITION BY city ORDER BY price DESC)",
        sql: "SELECT city, id, price, rnk FROM ( \
                SELECT doc->'address'->>'city' AS city, id, \
                       (doc->>'price')::float8 AS price, \
                       rank() OVER (PARTITION BY doc->'address'->>'city' \
                                    ORDER BY (doc->>'price')::float8 DESC, id) AS rnk \
                FROM listings) ranked \
              WHERE rnk <= 3 ORDER BY city, rnk",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "amenity_counts",
        what: "jsonb_array_elements_text over amenities, GROUP BY",
        sql: "SELECT amenity, count(*) AS n FROM ( \
                SELECT jsonb_array_elements_text(doc->'amenities') AS amenity FROM listings) a \
              GROUP BY amenity ORDER BY n DESC, amenity",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "review_ratings",
        what: "jsonb_array_elements over nested review objects, ::int of a field",
        sql: "SELECT (r->>'rating')::int AS rating, count(*) AS n FROM ( \
                SELECT jsonb_array_elements(doc->'reviews') AS r FROM listings) reviews \
              GROUP BY (r->>'rating')::int ORDER BY rating",
        docfusion_sql: None,
    },
    BenchQuery {
        name: "listed_per_year",
        what: "GROUP BY substr() of a path, SUM of an ::int",
        sql: "SELECT substr(doc->>'listed_at', 1, 4) AS year, count(*) AS n, \
                     sum((doc->>'availability_365')::int) AS available_days \
              FROM listings GROUP BY substr(doc->>'listed_at', 1, 4) ORDER BY year",
        docfusion_sql: None,
    },
];

/// The queries named in `filter` (all when it is empty); an error names an unknown one.
pub fn select(filter: &[String]) -> Result<Vec<BenchQuery>, String> {
    select_from(QUERIES, filter)
}

/// The queries of `all` named in `filter` (all when it is empty), in the filter's order;
/// an error names an unknown one.
pub fn select_from(all: &[BenchQuery], filter: &[String]) -> Result<Vec<BenchQuery>, String> {
    if filter.is_empty() {
        return Ok(all.to_vec());
    }
    let mut selected = Vec::new();
    for name in filter {
        match all.iter().find(|q| q.name == name) {
            Some(q) if !selected.contains(q) => selected.push(*q),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|q| q.name).collect();
                return Err(format!(
                    "unknown query {name:?}; the queries are: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_there_are_enough_queries() {
        let mut names: Vec<&str> = QUERIES.iter().map(|q| q.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), QUERIES.len());
        assert!(QUERIES.len() >= 10);
    }

    #[test]
    fn the_filter_selects_by_exact_name() {
        assert_eq!(select(&[]).unwrap().len(), QUERIES.len());
        let picked = select(&["top10_price".into(), "count_all".into()]).unwrap();
        let names: Vec<&str> = picked.iter().map(|q| q.name).collect();
        assert_eq!(names, ["top10_price", "count_all"]);
        let err = select(&["nope".into()]).unwrap_err();
        assert!(err.contains("unknown query \"nope\""), "{err}");
        assert!(err.contains("count_all"), "{err}");
    }
}
