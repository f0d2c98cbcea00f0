//! Names of the functions that implement Postgres' JSON operators. They are Postgres' own
//! names for the functions behind those operators, so plans read naturally and pushdown
//! maps them one to one.

/// `->`
pub const FIELD: &str = "jsonb_field";
/// `->>`
pub const FIELD_TEXT: &str = "jsonb_field_text";
/// `#>` (and the function `jsonb_extract_path`)
pub const EXTRACT_PATH: &str = "jsonb_extract_path";
/// `#>>` (and the function `jsonb_extract_path_text`)
pub const EXTRACT_PATH_TEXT: &str = "jsonb_extract_path_text";
/// `@>`
pub const CONTAINS: &str = "jsonb_contains";
/// `<@`
pub const CONTAINED: &str = "jsonb_contained";
/// `?`
pub const EXISTS: &str = "jsonb_exists";
/// `?|`
pub const EXISTS_ANY: &str = "jsonb_exists_any";
/// `?&`
pub const EXISTS_ALL: &str = "jsonb_exists_all";
/// `||` on jsonb
pub const CONCAT: &str = "jsonb_concat";
/// `-` on jsonb
pub const DELETE: &str = "jsonb_delete";
/// `#-`
pub const DELETE_PATH: &str = "jsonb_delete_path";
/// `@?` (`jsonb_path_exists` with errors suppressed)
pub const PATH_EXISTS_OP: &str = "jsonb_path_exists_opr";
/// `@@` (`jsonb_path_match` with errors suppressed)
pub const PATH_MATCH_OP: &str = "jsonb_path_match_opr";
/// The list behind `jsonb_path_query`
pub const PATH_QUERY_LIST: &str = "jsonb_path_query_list";
/// `=`, `<>`, `<`, `<=`, `>`, `>=` between jsonb values (the operator is the 3rd argument)
pub const COMPARE: &str = "jsonb_compare";
/// The sort key that makes `ORDER BY` a jsonb value sort as Postgres sorts jsonb
pub const SORT_KEY: &str = "jsonb_sort_key";
/// `jsonb::text`
pub const JSONB_OUT: &str = "jsonb_out";
/// `'…'::uuid`: validates and normalises a uuid
pub const UUID_IN: &str = "uuid_in";
/// `'\x…'::bytea`: hex or escape format to bytes
pub const BYTEA_IN: &str = "bytea_in";
/// Marks canonical jsonb text (e.g. unnested list items) as jsonb again
pub const JSONB_TAGGED: &str = "jsonb_tagged";
/// `'{a,b}'::text[]`
pub const TEXT_ARRAY_IN: &str = "text_array_in";
/// `::jsonb` from text
pub const JSONB_IN: &str = "jsonb_in";
/// `::json` from text
pub const JSON_IN: &str = "json_in";
/// `::jsonb` from json
pub const JSON_TO_JSONB: &str = "json_to_jsonb";
/// jsonb scalar → text for casts to numbers and booleans (`(doc->'n')::int`)
pub const JSONB_SCALAR_FOR_CAST: &str = "jsonb_scalar_for_cast";
/// The list behind `jsonb_array_elements` (planned as `unnest` of it)
pub const ARRAY_ELEMENTS_LIST: &str = "jsonb_array_elements_list";
/// The list behind `jsonb_array_elements_text`
pub const ARRAY_ELEMENTS_TEXT_LIST: &str = "jsonb_array_elements_text_list";
/// The list behind `jsonb_object_keys`
pub const OBJECT_KEYS_LIST: &str = "jsonb_object_keys_list";
