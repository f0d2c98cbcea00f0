//! Evaluation of parsed jsonpath expressions against jsonb, with lax/strict error behaviour.

use std::cmp::Ordering;

use super::ast::{Accessor, ArithOp, CmpOp, Expr, Method, Mode};
use crate::error::{PgError, sqlstate};
use crate::jsonb::{Jsonb, JsonbObject};
use crate::numeric::Numeric;

/// SQL three-valued logic result of a predicate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

pub(crate) struct Evaluator<'a> {
    pub(crate) mode: Mode,
    pub(crate) root: &'a Jsonb,
    pub(crate) vars: Option<&'a JsonbObject>,
}

/// Per-item context: the `@` item and the `last` index of the innermost subscript.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    current: &'a Jsonb,
    last: Option<i64>,
}

fn err(code: &'static str, message: impl Into<String>) -> PgError {
    PgError::new(code, message)
}

impl<'a> Evaluator<'a> {
    fn lax(&self) -> bool {
        self.mode == Mode::Lax
    }

    /// A structural error: raised in strict mode, silently yields nothing in lax mode.
    fn structural(&self, code: &'static str, message: String) -> Result<Vec<Jsonb>, PgError> {
        if self.lax() {
            Ok(Vec::new())
        } else {
            Err(err(code, message))
        }
    }

    /// Evaluates an expression to its sequence of items.
    pub(crate) fn eval(&self, expr: &Expr, scope: Scope<'_>) -> Result<Vec<Jsonb>, PgError> {
        match expr {
            Expr::Root => Ok(vec![self.root.clone()]),
            Expr::Current => Ok(vec![scope.current.clone()]),
            Expr::Last => match scope.last {
                Some(l) => Ok(vec![Jsonb::from_i64(l)]),
                None => Err(err(
                    sqlstate::SYNTAX_ERROR,
                    "evaluating jsonpath LAST outside of array subscript",
                )),
            },
            Expr::Variable(name) => self
                .vars
                .and_then(|v| v.get(name))
                .map(|v| vec![v.clone()])
                .ok_or_else(|| {
                    err(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("could not find jsonpath variable \"{name}\""),
                    )
                }),
            Expr::Null => Ok(vec![Jsonb::Null]),
            Expr::Bool(b) => Ok(vec![Jsonb::Bool(*b)]),
            Expr::Number(n) => Ok(vec![Jsonb::Number(n.clone())]),
            Expr::String(s) => Ok(vec![Jsonb::String(s.clone())]),
            Expr::Chain(base, accessors) => {
                let mut items = self.eval(base, scope)?;
                for acc in accessors {
                    let mut next = Vec::new();
                    for item in &items {
                        next.extend(self.apply(acc, item, scope, true)?);
                    }
                    items = next;
                }
                Ok(items)
            }
            Expr::Arith(op, l, r) => self.arith(*op, l, r, scope),
            Expr::Negate(inner) | Expr::Plus(inner) => {
                let negate = matches!(expr, Expr::Negate(_));
                let items = self.unwrapped(self.eval(inner, scope)?);
                items
                    .into_iter()
                    .map(|item| match item {
                        Jsonb::Number(n) => Ok(Jsonb::Number(if negate { n.negate() } else { n })),
                        _ => Err(err(
                            sqlstate::SQL_JSON_NUMBER_NOT_FOUND,
                            format!(
                                "operand of unary jsonpath operator {} is not a numeric value",
                                if negate { "-" } else { "+" }
                            ),
                        )),
                    })
                    .collect()
            }
            predicate => Ok(vec![match self.truth(predicate, scope) {
                Truth::True => Jsonb::Bool(true),
                Truth::False => Jsonb::Bool(false),
                Truth::Unknown => Jsonb::Null,
            }]),
        }
    }

    /// In lax mode, arrays in a result sequence are replaced by their elements.
    fn unwrapped(&self, items: Vec<Jsonb>) -> Vec<Jsonb> {
        if !self.lax() {
            return items;
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Jsonb::Array(elems) => out.extend(elems),
                other => out.push(other),
            }
        }
        out
    }

    fn arith(
        &self,
        op: ArithOp,
        l: &Expr,
        r: &Expr,
        scope: Scope<'_>,
    ) -> Result<Vec<Jsonb>, PgError> {
        let single = |side: &str, items: Vec<Jsonb>| match <[Jsonb; 1]>::try_from(items) {
            Ok([Jsonb::Number(n)]) => Ok(n),
            _ => Err(err(
                sqlstate::SINGLETON_SQL_JSON_ITEM_REQUIRED,
                format!(
                    "{side} operand of jsonpath operator {} is not a single numeric value",
                    op.symbol()
                ),
            )),
        };
        let left = single("left", self.unwrapped(self.eval(l, scope)?))?;
        let right = single("right", self.unwrapped(self.eval(r, scope)?))?;
        let result = match op {
            ArithOp::Add => left.add(&right),
            ArithOp::Sub => left.sub(&right),
            ArithOp::Mul => left.mul(&right),
            ArithOp::Div => left.div(&right),
            ArithOp::Mod => left.rem(&right),
        }?;
        Ok(vec![Jsonb::Number(result)])
    }

    fn apply(
        &self,
        acc: &Accessor,
        item: &Jsonb,
        scope: Scope<'_>,
        unwrap: bool,
    ) -> Result<Vec<Jsonb>, PgError> {
        // Lax mode applies member accessors, filters and most methods to array elements.
        let unwraps = matches!(
            acc,
            Accessor::Key(_)
                | Accessor::AnyKey
                | Accessor::Filter(_)
                | Accessor::Method(Method::Double | Method::Abs | Method::Floor | Method::Ceiling)
        );
        if unwrap
            && unwraps
            && self.lax()
            && let Jsonb::Array(elems) = item
        {
            let mut out = Vec::new();
            for e in elems {
                out.extend(self.apply(acc, e, scope, false)?);
            }
            return Ok(out);
        }
        match acc {
            Accessor::Key(key) => match item {
                Jsonb::Object(o) => match o.get(key) {
                    Some(v) => Ok(vec![v.clone()]),
                    None => self.structural(
                        sqlstate::SQL_JSON_MEMBER_NOT_FOUND,
                        format!("JSON object does not contain key \"{key}\""),
                    ),
                },
                _ => self.structural(
                    sqlstate::SQL_JSON_MEMBER_NOT_FOUND,
                    "jsonpath member accessor can only be applied to an object".into(),
                ),
            },
            Accessor::AnyKey => match item {
                Jsonb::Object(o) => Ok(o.iter().map(|(_, v)| v.clone()).collect()),
                _ => self.structural(
                    sqlstate::SQL_JSON_OBJECT_NOT_FOUND,
                    "jsonpath wildcard member accessor can only be applied to an object".into(),
                ),
            },
            Accessor::AnyIndex => match item {
                Jsonb::Array(elems) => Ok(elems.clone()),
                other if self.lax() => Ok(vec![other.clone()]),
                _ => Err(err(
                    sqlstate::SQL_JSON_ARRAY_NOT_FOUND,
                    "jsonpath wildcard array accessor can only be applied to an array",
                )),
            },
            Accessor::Index(subs) => self.subscript(subs, item),
            Accessor::AnyPath(first, last) => {
                let mut out = Vec::new();
                collect_levels(item, 0, *first, last.unwrap_or(u32::MAX), &mut out);
                Ok(out)
            }
            Accessor::Filter(pred) => {
                let inner = Scope {
                    current: item,
                    last: scope.last,
                };
                Ok(if self.truth(pred, inner) == Truth::True {
                    vec![item.clone()]
                } else {
                    Vec::new()
                })
            }
            Accessor::Method(m) => self.method(*m, item),
        }
    }

    fn subscript(
        &self,
        subs: &[(Expr, Option<Expr>)],
        item: &Jsonb,
    ) -> Result<Vec<Jsonb>, PgError> {
        let elems: Vec<Jsonb> = match item {
            Jsonb::Array(elems) => elems.clone(),
            other if self.lax() => vec![other.clone()],
            _ => {
                return Err(err(
                    sqlstate::SQL_JSON_ARRAY_NOT_FOUND,
                    "jsonpath array accessor can only be applied to an array",
                ));
            }
        };
        let size = elems.len() as i64;
        let inner = Scope {
            current: item,
            last: Some(size - 1),
        };
        let mut out = Vec::new();
        for (from, to) in subs {
            let lo = self.index_value(from, inner)?;
            let hi = match to {
                Some(t) => self.index_value(t, inner)?,
                None => lo,
            };
            let out_of_bounds = lo < 0 || lo > hi || hi >= size;
            if out_of_bounds && !self.lax() {
                return Err(err(
                    sqlstate::INVALID_SQL_JSON_SUBSCRIPT,
                    "jsonpath array subscript is out of bounds",
                ));
            }
            let lo = lo.max(0);
            let hi = hi.min(size - 1);
            let mut i = lo;
            while i <= hi {
                out.push(elems[i as usize].clone());
                i += 1;
            }
        }
        Ok(out)
    }

    fn index_value(&self, expr: &Expr, scope: Scope<'_>) -> Result<i64, PgError> {
        let items = self.eval(expr, scope)?;
        let not_numeric = || {
            err(
                sqlstate::INVALID_SQL_JSON_SUBSCRIPT,
                "jsonpath array subscript is not a single numeric value",
            )
        };
        match <[Jsonb; 1]>::try_from(items) {
            Ok([Jsonb::Number(n)]) => n
                .trunc_to_i64()
                .filter(|v| i32::try_from(*v).is_ok())
                .ok_or_else(|| {
                    err(
                        sqlstate::INVALID_SQL_JSON_SUBSCRIPT,
                        "jsonpath array subscript is out of integer range",
                    )
                }),
            _ => Err(not_numeric()),
        }
    }

    fn method(&self, m: Method, item: &Jsonb) -> Result<Vec<Jsonb>, PgError> {
        let name = m.name();
        match m {
            Method::Type => Ok(vec![Jsonb::string(item.type_name())]),
            Method::Size => match item {
                Jsonb::Array(elems) => Ok(vec![Jsonb::from_i64(elems.len() as i64)]),
                _ if self.lax() => Ok(vec![Jsonb::from_i64(1)]),
                _ => Err(err(
                    sqlstate::SQL_JSON_ARRAY_NOT_FOUND,
                    format!("jsonpath item method .{name}() can only be applied to an array"),
                )),
            },
            Method::Double => match item {
                Jsonb::Number(n) => {
                    if n.to_f64().is_finite() {
                        Ok(vec![item.clone()])
                    } else {
                        Err(err(
                            sqlstate::NON_NUMERIC_SQL_JSON_ITEM,
                            format!(
                                "numeric argument of jsonpath item method .{name}() is out of range for type double precision"
                            ),
                        ))
                    }
                }
                Jsonb::String(s) => {
                    let bad = || {
                        err(
                            sqlstate::NON_NUMERIC_SQL_JSON_ITEM,
                            format!(
                                "string argument of jsonpath item method .{name}() is not a valid representation of a double precision number"
                            ),
                        )
                    };
                    let v = parse_float8(s).ok_or_else(bad)?;
                    if !v.is_finite() {
                        return Err(bad());
                    }
                    Ok(vec![Jsonb::Number(float8_to_numeric(v)?)])
                }
                _ => Err(err(
                    sqlstate::NON_NUMERIC_SQL_JSON_ITEM,
                    format!(
                        "jsonpath item method .{name}() can only be applied to a string or numeric value"
                    ),
                )),
            },
            Method::Abs | Method::Floor | Method::Ceiling => match item {
                Jsonb::Number(n) => Ok(vec![Jsonb::Number(match m {
                    Method::Abs => n.abs(),
                    Method::Floor => n.floor(),
                    _ => n.ceil(),
                })]),
                _ => Err(err(
                    sqlstate::NON_NUMERIC_SQL_JSON_ITEM,
                    format!(
                        "jsonpath item method .{name}() can only be applied to a numeric value"
                    ),
                )),
            },
        }
    }

    /// Evaluates a predicate; evaluation errors inside it make it unknown.
    fn truth(&self, expr: &Expr, scope: Scope<'_>) -> Truth {
        match expr {
            Expr::And(l, r) => match self.truth(l, scope) {
                Truth::False => Truth::False,
                lt => match (lt, self.truth(r, scope)) {
                    (_, Truth::False) => Truth::False,
                    (Truth::True, Truth::True) => Truth::True,
                    _ => Truth::Unknown,
                },
            },
            Expr::Or(l, r) => match self.truth(l, scope) {
                Truth::True => Truth::True,
                lt => match (lt, self.truth(r, scope)) {
                    (_, Truth::True) => Truth::True,
                    (Truth::False, Truth::False) => Truth::False,
                    _ => Truth::Unknown,
                },
            },
            Expr::Not(inner) => match self.truth(inner, scope) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Expr::IsUnknown(inner) => Truth::from_bool(self.truth(inner, scope) == Truth::Unknown),
            Expr::Exists(inner) => match self.eval(inner, scope) {
                Ok(items) => Truth::from_bool(!items.is_empty()),
                Err(_) => Truth::Unknown,
            },
            Expr::Compare(op, l, r) => self.pairwise(l, r, scope, |a, b| compare(*op, a, b)),
            Expr::StartsWith(l, r) => self.pairwise(l, r, scope, |a, b| match (a, b) {
                (Jsonb::String(s), Jsonb::String(p)) => Truth::from_bool(s.starts_with(p.as_str())),
                _ => Truth::Unknown,
            }),
            other => match self.eval(other, scope) {
                Ok(items) => match items.as_slice() {
                    [Jsonb::Bool(b)] => Truth::from_bool(*b),
                    _ => Truth::Unknown,
                },
                Err(_) => Truth::Unknown,
            },
        }
    }

    /// Applies a binary predicate to every pair of items, as PostgreSQL's `executePredicate`.
    fn pairwise(
        &self,
        l: &Expr,
        r: &Expr,
        scope: Scope<'_>,
        test: impl Fn(&Jsonb, &Jsonb) -> Truth,
    ) -> Truth {
        let Ok(left) = self.eval(l, scope).map(|v| self.unwrapped(v)) else {
            return Truth::Unknown;
        };
        let Ok(right) = self.eval(r, scope).map(|v| self.unwrapped(v)) else {
            return Truth::Unknown;
        };
        let mut error = false;
        let mut found = false;
        for a in &left {
            for b in &right {
                match test(a, b) {
                    Truth::Unknown => {
                        if !self.lax() {
                            return Truth::Unknown;
                        }
                        error = true;
                    }
                    Truth::True => {
                        if self.lax() {
                            return Truth::True;
                        }
                        found = true;
                    }
                    Truth::False => {}
                }
            }
        }
        if found {
            Truth::True
        } else if error {
            Truth::Unknown
        } else {
            Truth::False
        }
    }
}

/// `.**{first to last}`: the item itself at level 0, then descendants in pre-order.
/// `{last}` alone (both bounds unbounded) selects only the scalar leaves below the item.
fn collect_levels(item: &Jsonb, level: u32, first: u32, last: u32, out: &mut Vec<Jsonb>) {
    let leaves_only = first == u32::MAX && last == u32::MAX;
    if (level >= first && level <= last) || (leaves_only && level > 0 && item.is_scalar()) {
        out.push(item.clone());
    }
    if level >= last {
        return;
    }
    let children: Vec<&Jsonb> = match item {
        Jsonb::Array(elems) => elems.iter().collect(),
        Jsonb::Object(o) => o.iter().map(|(_, v)| v).collect(),
        _ => return,
    };
    for c in children {
        collect_levels(c, level + 1, first, last, out);
    }
}

fn compare(op: CmpOp, a: &Jsonb, b: &Jsonb) -> Truth {
    let ord = match (a, b) {
        (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
        (Jsonb::Null, _) | (_, Jsonb::Null) => {
            return Truth::from_bool(op == CmpOp::Ne);
        }
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x.cmp(y),
        (Jsonb::Number(x), Jsonb::Number(y)) => x.cmp(y),
        (Jsonb::String(x), Jsonb::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => return Truth::Unknown,
    };
    Truth::from_bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// `float8in`-style parsing: surrounding whitespace, `NaN`, `Infinity`, `inf`.
fn parse_float8(text: &str) -> Option<f64> {
    let t = text.trim_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let lower = t.to_ascii_lowercase();
    match lower.trim_start_matches(['+', '-']) {
        "nan" => return Some(f64::NAN),
        "infinity" | "inf" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        _ => {}
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// `float8_numeric` in PostgreSQL 15: the value printed with `%.15g`, read as numeric.
fn float8_to_numeric(v: f64) -> Result<Numeric, PgError> {
    let sci = format!("{v:.14e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    Numeric::parse_json_number(&format!("{mantissa}e{exp}"))
}

/// The scope at the start of evaluation: `@` is the root (unused outside filters).
pub(crate) fn root_scope(root: &Jsonb) -> Scope<'_> {
    Scope {
        current: root,
        last: None,
    }
}
