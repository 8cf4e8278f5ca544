//! `numbers.range` and `numbers.range_step` with a bound on the array they build: regorus
//! reserves the whole array up front, so `numbers.range(1, 4e8)` would take gigabytes (or abort
//! the process) before its time limit could stop it.

use anyhow::{bail, Result};
use regorus::Value;

use assay_collectors::limits::RANGE_ELEMENTS;

/// `numbers.range(a, b)`: the integers from `a` to `b`, both included, counting down when
/// `b < a`.
pub fn range(args: Vec<Value>) -> Result<Value> {
    let (from, to) = match args.as_slice() {
        [from, to] => (
            integer("numbers.range", from)?,
            integer("numbers.range", to)?,
        ),
        _ => bail!("numbers.range: expects 2 arguments"),
    };
    let step = if to >= from { 1 } else { -1 };
    build("numbers.range", from, to, step)
}

/// `numbers.range_step(a, b, step)`: from `a` towards `b` by the positive `step`, `b` included
/// when it is reached.
pub fn range_step(args: Vec<Value>) -> Result<Value> {
    let name = "numbers.range_step";
    let (from, to, step) = match args.as_slice() {
        [from, to, step] => (
            integer(name, from)?,
            integer(name, to)?,
            integer(name, step)?,
        ),
        _ => bail!("{name}: expects 3 arguments"),
    };
    if step <= 0 {
        bail!("{name}: step must be a positive integer");
    }
    build(name, from, to, if to >= from { step } else { -step })
}

fn integer(name: &str, value: &Value) -> Result<i128> {
    match value {
        Value::Number(n) if n.is_integer() => match n.as_i64() {
            Some(i) => Ok(i128::from(i)),
            None => bail!("{name}: operand is out of range"),
        },
        Value::Number(_) => bail!("{name}: operand must be integer"),
        other => bail!(
            "{name}: operand must be number but got {}",
            super::type_name(other)
        ),
    }
}

/// The integers from `from` by `step` while not past `to`, refused beyond [`RANGE_ELEMENTS`].
fn build(name: &str, from: i128, to: i128, step: i128) -> Result<Value> {
    let count = (to - from) / step + 1;
    if count > RANGE_ELEMENTS as i128 {
        bail!(
            "{name}: {count} elements is over the limit of {RANGE_ELEMENTS} elements per call \
             (the range limit)"
        );
    }
    let values: Vec<Value> = (0..count)
        .map(|i| Value::from((from + i * step) as i64))
        .collect();
    Ok(Value::from(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(value: Value) -> Vec<i64> {
        match value {
            Value::Array(items) => items.iter().filter_map(|v| v.as_i64().ok()).collect(),
            other => panic!("not an array: {other}"),
        }
    }

    #[test]
    fn ranges_as_opa_builds_them() {
        let n = |i: i64| Value::from(i);
        assert_eq!(ints(range(vec![n(1), n(4)]).unwrap()), [1, 2, 3, 4]);
        assert_eq!(ints(range(vec![n(2), n(-1)]).unwrap()), [2, 1, 0, -1]);
        assert_eq!(ints(range_step(vec![n(0), n(7), n(3)]).unwrap()), [0, 3, 6]);
        assert_eq!(ints(range_step(vec![n(5), n(0), n(2)]).unwrap()), [5, 3, 1]);
        assert!(range_step(vec![n(0), n(7), n(0)]).is_err());
    }

    #[test]
    fn huge_ranges_are_refused_before_they_are_built() {
        let err = range(vec![Value::from(1), Value::from(400_000_000)]).unwrap_err();
        assert!(err.to_string().contains("range limit"), "{err}");
        let err = range_step(vec![Value::from(0), Value::from(i64::MAX), Value::from(1)]);
        assert!(err.is_err());
    }
}
