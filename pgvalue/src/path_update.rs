//! Path-based modification: `jsonb_set`, `jsonb_set_lax`, `jsonb_insert` and `#-`, following
//! PostgreSQL's `setPath` walk (including which path steps are checked and when).

use crate::error::{PgError, sqlstate};
use crate::jsonb::Jsonb;
use crate::operators::parse_path_index;

#[derive(Clone, Copy, PartialEq)]
enum PathOp {
    Create,
    Replace,
    InsertBefore,
    InsertAfter,
    Delete,
}

impl PathOp {
    fn creates(self) -> bool {
        matches!(
            self,
            PathOp::Create | PathOp::InsertBefore | PathOp::InsertAfter
        )
    }
}

struct PathWalk<'p> {
    path: &'p [Option<&'p str>],
    new_value: Option<&'p Jsonb>,
    op: PathOp,
}

impl PathWalk<'_> {
    fn set_path(&self, value: &Jsonb, level: usize) -> Result<Jsonb, PgError> {
        if self.path[level].is_none() {
            return Err(PgError::new(
                sqlstate::NULL_VALUE_NOT_ALLOWED,
                format!("path element at position {} is null", level + 1),
            ));
        }
        match value {
            Jsonb::Array(items) => self.set_path_array(items, level),
            Jsonb::Object(_) => self.set_path_object(value, level),
            scalar => Ok(scalar.clone()),
        }
    }

    fn push_new(&self, out: &mut Vec<Jsonb>) {
        if let Some(v) = self.new_value {
            out.push(v.clone());
        }
    }

    fn set_path_object(&self, value: &Jsonb, level: usize) -> Result<Jsonb, PgError> {
        let Jsonb::Object(obj) = value else {
            return Ok(value.clone());
        };
        let key = self.path[level].unwrap_or_default();
        let last = level + 1 == self.path.len();
        let mut obj = obj.clone();
        match obj.get(key) {
            Some(existing) => {
                if last {
                    match self.op {
                        PathOp::InsertBefore | PathOp::InsertAfter => {
                            return Err(PgError::invalid_parameter("cannot replace existing key")
                                .with_hint(
                                    "Try using the function jsonb_set to replace key value.",
                                ));
                        }
                        PathOp::Delete => {
                            obj.remove(key);
                        }
                        PathOp::Create | PathOp::Replace => {
                            if let Some(v) = self.new_value {
                                obj.insert(key.to_string(), v.clone());
                            }
                        }
                    }
                } else {
                    let replaced = self.set_path(existing, level + 1)?;
                    obj.insert(key.to_string(), replaced);
                }
            }
            None => {
                if self.op.creates()
                    && last
                    && let Some(v) = self.new_value
                {
                    obj.insert(key.to_string(), v.clone());
                }
            }
        }
        Ok(Jsonb::Object(obj))
    }

    fn set_path_array(&self, items: &[Jsonb], level: usize) -> Result<Jsonb, PgError> {
        let step = self.path[level].unwrap_or_default();
        let index = parse_path_index(step).ok_or_else(|| {
            PgError::new(
                sqlstate::INVALID_TEXT_REPRESENTATION,
                format!(
                    "path element at position {} is not an integer: \"{}\"",
                    level + 1,
                    step
                ),
            )
        })?;
        let n = items.len() as i64;
        let mut idx = i64::from(index);
        let prepend = idx < 0 && -idx > n;
        if idx < 0 && !prepend {
            idx += n;
        }
        if idx > n {
            idx = n;
        }
        let last = level + 1 == self.path.len();
        let mut out = Vec::with_capacity(items.len() + 1);
        let mut done = false;
        if (prepend || n == 0) && last && self.op.creates() {
            self.push_new(&mut out);
            done = true;
        }
        for (i, item) in items.iter().enumerate() {
            if !prepend && i as i64 == idx {
                done = true;
                if last {
                    match self.op {
                        PathOp::Create | PathOp::Replace => self.push_new(&mut out),
                        PathOp::InsertBefore => {
                            self.push_new(&mut out);
                            out.push(item.clone());
                        }
                        PathOp::InsertAfter => {
                            out.push(item.clone());
                            self.push_new(&mut out);
                        }
                        PathOp::Delete => {}
                    }
                } else {
                    out.push(self.set_path(item, level + 1)?);
                }
            } else {
                out.push(item.clone());
            }
        }
        if self.op.creates() && !done && last {
            self.push_new(&mut out);
        }
        Ok(Jsonb::Array(out))
    }
}

fn container_len(value: &Jsonb) -> usize {
    match value {
        Jsonb::Array(a) => a.len(),
        Jsonb::Object(o) => o.len(),
        _ => 1,
    }
}

/// `jsonb_set(target, path, new_value, create_missing)`: replaces the value at `path`, adding
/// it when `create_missing` and only the last step is missing. Errors on a scalar target, a
/// NULL path step that is reached, or a non-integer step on an array.
pub fn jsonb_set(
    target: &Jsonb,
    path: &[Option<&str>],
    new_value: &Jsonb,
    create_missing: bool,
) -> Result<Jsonb, PgError> {
    if target.is_scalar() {
        return Err(PgError::invalid_parameter("cannot set path in scalar"));
    }
    if container_len(target) == 0 && !create_missing {
        return Ok(target.clone());
    }
    if path.is_empty() {
        return Ok(target.clone());
    }
    let walk = PathWalk {
        path,
        new_value: Some(new_value),
        op: if create_missing {
            PathOp::Create
        } else {
            PathOp::Replace
        },
    };
    walk.set_path(target, 0)
}

/// How `jsonb_set_lax` treats an SQL NULL new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullValueTreatment {
    /// `raise_exception`.
    RaiseException,
    /// `use_json_null` (the default).
    UseJsonNull,
    /// `delete_key`.
    DeleteKey,
    /// `return_target`.
    ReturnTarget,
}

impl NullValueTreatment {
    /// Parses the SQL argument text, with PostgreSQL's error for anything else.
    pub fn parse(text: &str) -> Result<Self, PgError> {
        match text {
            "raise_exception" => Ok(NullValueTreatment::RaiseException),
            "use_json_null" => Ok(NullValueTreatment::UseJsonNull),
            "delete_key" => Ok(NullValueTreatment::DeleteKey),
            "return_target" => Ok(NullValueTreatment::ReturnTarget),
            _ => Err(PgError::invalid_parameter(
                "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"",
            )),
        }
    }
}

/// `jsonb_set_lax(target, path, new_value, create_missing, null_value_treatment)`: like
/// [`jsonb_set`] but an SQL NULL `new_value` (`None`) is handled per `treatment`.
pub fn jsonb_set_lax(
    target: &Jsonb,
    path: &[Option<&str>],
    new_value: Option<&Jsonb>,
    create_missing: bool,
    treatment: NullValueTreatment,
) -> Result<Jsonb, PgError> {
    match (new_value, treatment) {
        (Some(v), _) => jsonb_set(target, path, v, create_missing),
        (None, NullValueTreatment::RaiseException) => Err(PgError::new(
            sqlstate::NULL_VALUE_NOT_ALLOWED,
            "JSON value must not be null",
        )
        .with_detail("Exception was raised because null_value_treatment is \"raise_exception\".")
        .with_hint(
            "To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.",
        )),
        (None, NullValueTreatment::UseJsonNull) => {
            jsonb_set(target, path, &Jsonb::Null, create_missing)
        }
        (None, NullValueTreatment::DeleteKey) => jsonb_delete_path(target, path),
        (None, NullValueTreatment::ReturnTarget) => Ok(target.clone()),
    }
}

/// `jsonb_insert(target, path, new_value, insert_after)`: inserts into an array before (or
/// after) the element at `path`, or adds a new object key; errors if the key already exists.
pub fn jsonb_insert(
    target: &Jsonb,
    path: &[Option<&str>],
    new_value: &Jsonb,
    insert_after: bool,
) -> Result<Jsonb, PgError> {
    if target.is_scalar() {
        return Err(PgError::invalid_parameter("cannot set path in scalar"));
    }
    if path.is_empty() {
        return Ok(target.clone());
    }
    let walk = PathWalk {
        path,
        new_value: Some(new_value),
        op: if insert_after {
            PathOp::InsertAfter
        } else {
            PathOp::InsertBefore
        },
    };
    walk.set_path(target, 0)
}

/// `jsonb #- text[]` (`jsonb_delete_path`): removes the value at `path` if present.
pub fn jsonb_delete_path(target: &Jsonb, path: &[Option<&str>]) -> Result<Jsonb, PgError> {
    if target.is_scalar() {
        return Err(PgError::invalid_parameter("cannot delete path in scalar"));
    }
    if container_len(target) == 0 || path.is_empty() {
        return Ok(target.clone());
    }
    let walk = PathWalk {
        path,
        new_value: None,
        op: PathOp::Delete,
    };
    walk.set_path(target, 0)
}

#[cfg(test)]
mod tests;
