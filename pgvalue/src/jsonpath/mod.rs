//! SQL/JSON path language (`jsonpath`): parsing and evaluation as in PostgreSQL 15.
