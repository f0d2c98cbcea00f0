//! The parsed form of a jsonpath expression.

use crate::numeric::Numeric;

/// Evaluation mode: `lax` (the default) hides structural errors and unwraps arrays;
/// `strict` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `lax`.
    Lax,
    /// `strict`.
    Strict,
}

/// Binary arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Item methods (`.type()` etc.).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Type,
    Size,
    Double,
    Abs,
    Floor,
    Ceiling,
}

impl Method {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Type => "type",
            Method::Size => "size",
            Method::Double => "double",
            Method::Abs => "abs",
            Method::Floor => "floor",
            Method::Ceiling => "ceiling",
        }
    }
}

/// One accessor applied to each item of a sequence.
#[derive(Clone, Debug)]
pub(crate) enum Accessor {
    Key(String),
    AnyKey,
    AnyIndex,
    /// Subscripts: single index or `from to to` ranges.
    Index(Vec<(Expr, Option<Expr>)>),
    /// `.**{first to last}`; `None` means `last` (unbounded).
    AnyPath(u32, Option<u32>),
    Filter(Box<Expr>),
    Method(Method),
}

/// A jsonpath expression or predicate.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Root,
    Current,
    Last,
    Variable(String),
    Null,
    Bool(bool),
    Number(Numeric),
    String(String),
    Chain(Box<Expr>, Vec<Accessor>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Negate(Box<Expr>),
    Plus(Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsUnknown(Box<Expr>),
    Exists(Box<Expr>),
    StartsWith(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Whether this node yields a truth value rather than a sequence of items.
    pub(crate) fn is_predicate(&self) -> bool {
        matches!(
            self,
            Expr::Compare(..)
                | Expr::And(..)
                | Expr::Or(..)
                | Expr::Not(..)
                | Expr::IsUnknown(..)
                | Expr::Exists(..)
                | Expr::StartsWith(..)
        )
    }
}
