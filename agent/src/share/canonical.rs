//! The canonical form of a JSON value that signatures cover: the JSON Canonicalization
//! Scheme of RFC 8785 (JCS), so a receiver in any language with a JCS library (or
//! `JSON.stringify` on an object with sorted keys) rebuilds the exact signed bytes.
//!
//! - no whitespace;
//! - object members sorted by their names compared as UTF-16 code units;
//! - strings escaped as `JSON.stringify` does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//!   other controls as `\u00xx`, everything else literal);
//! - numbers as ECMAScript prints an IEEE 754 double (`1`, not `1.0`; `1e-7`; `1e+21`).
//!   Integers beyond ±2⁵³ therefore lose precision exactly as they would in JavaScript;
//!   no payload field carries such numbers.
//!
//! Also here: [`parse_strict`], a JSON parser that refuses duplicate member names, because
//! a signed object with a duplicated field means different things to parsers that keep the
//! first and parsers that keep the last.

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt::{self, Write as _};

/// The canonical (RFC 8785) text of `value`.
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// The canonical (RFC 8785) text of the object with members `object`.
pub fn object_to_canonical_string(object: &Map<String, Value>) -> String {
    let mut out = String::new();
    write_object(&mut out, object);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(object) => write_object(out, object),
    }
}

fn write_object(out: &mut String, object: &Map<String, Value>) {
    let mut members: Vec<(&String, &Value)> = object.iter().collect();
    // RFC 8785 §3.2.3: sort on UTF-16 code units, which differs from UTF-8 byte order for
    // characters outside the Basic Multilingual Plane.
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    out.push('{');
    for (i, (name, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, name);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) {
    // JCS treats every number as a double: integers print the same way as the double they
    // convert to, so `1`, `1.0` and `1e0` all have one canonical form.
    let f = if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64().unwrap_or(0.0)
    };
    write_double(out, f);
}

/// Writes `f` as ECMAScript's `Number.prototype.toString` does (ECMA-262 §6.1.6.1.20),
/// which RFC 8785 adopts. `f` is finite: JSON has no other numbers.
fn write_double(out: &mut String, f: f64) {
    if f == 0.0 {
        // Both zeros print as `0`.
        out.push('0');
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    let Some((digits, n)) = shortest_digits(f.abs()) else {
        let _ = write!(out, "{}", f.abs());
        return;
    };
    // In ECMA-262's terms: the value is 0.digits × 10^n, with k digits.
    let k = digits.len() as i32;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

/// The shortest decimal digits that round-trip to `f` (finite, > 0) and the position of the
/// decimal point: `f` = 0.`digits` × 10^`n`. When two digit strings are as short and as
/// close, ECMAScript takes the even one; serde_json's printer (Ryū) does the same, where
/// Rust's `{:e}` does not (RFC 8785's 1424953923781206.2 case), so its output is parsed.
fn shortest_digits(f: f64) -> Option<(String, i32)> {
    // Ryū prints `123.45`, `0.0001`, `1e21`, `1.5e-7`: a mantissa and an optional exponent.
    let text = serde_json::to_string(&f).ok()?;
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text.as_str(), 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut n = i32::try_from(int.len()).ok()? + exponent;
    let all = format!("{int}{frac}");
    let trimmed = all.trim_start_matches('0');
    n -= i32::try_from(all.len() - trimmed.len()).ok()?;
    let digits = trimmed.trim_end_matches('0');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.to_owned(), n))
}

/// Parses JSON text, refusing duplicate member names in any object, trailing data, numbers
/// out of the range of a double, and nesting deeper than serde_json's limit (128).
pub fn parse_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Builds a [`Value`] like serde_json does, but fails on a duplicate member name.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a JSON number")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(A::Error::custom(format!("duplicate member {name:?}")));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn double(bits: u64) -> String {
        let mut out = String::new();
        write_double(&mut out, f64::from_bits(bits));
        out
    }

    #[test]
    fn doubles_print_as_the_rfc_8785_appendix_b_table_says() {
        // RFC 8785, Appendix B: IEEE 754 bit patterns and their canonical text.
        let table: [(u64, &str); 23] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
        ];
        for (bits, text) in table {
            assert_eq!(double(bits), text, "{bits:#018x}");
        }
        assert_eq!(double(0x43143ff3c1cb0959_u64), "1424953923781206.2");
    }

    #[test]
    fn integers_and_integral_doubles_have_one_canonical_form() {
        for text in ["1", "1.0", "1e0", "10e-1"] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(to_canonical_string(&v), "1", "{text}");
        }
        assert_eq!(to_canonical_string(&json!(-42)), "-42");
        assert_eq!(to_canonical_string(&json!(37.5)), "37.5");
    }

    #[test]
    fn members_are_sorted_by_utf16_code_units_without_whitespace() {
        // U+10000 encodes as the surrogate pair D800 DC00, which sorts before U+FB33 in
        // UTF-16 although it comes after it in UTF-8.
        let v = json!({"b": [1, {"z": null, "a": true}], "a": "x", "\u{fb33}": 1, "\u{10000}": 2});
        assert_eq!(
            to_canonical_string(&v),
            "{\"a\":\"x\",\"b\":[1,{\"a\":true,\"z\":null}],\"\u{10000}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn strings_are_escaped_as_json_stringify_escapes_them() {
        let v = json!("q\"b\\s/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é€😀\u{2028}");
        assert_eq!(
            to_canonical_string(&v),
            "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}é€😀\u{2028}\""
        );
    }

    #[test]
    fn the_strict_parser_refuses_duplicate_members_at_any_depth() {
        assert!(parse_strict(br#"{"a":1,"b":{"c":1,"c":2}}"#).is_err());
        assert!(parse_strict(br#"{"a":1,"a":1}"#).is_err());
        assert_eq!(
            parse_strict(br#" {"a":[1,2.5,"x",null,true,{"b":-3}]} "#).unwrap(),
            json!({"a":[1,2.5,"x",null,true,{"b":-3}]})
        );
    }

    #[test]
    fn the_strict_parser_refuses_trailing_data_and_huge_numbers() {
        assert!(parse_strict(br#"{"a":1} {"a":2}"#).is_err());
        assert!(parse_strict(b"1e400").is_err());
        assert!(parse_strict(b"").is_err());
    }
}
