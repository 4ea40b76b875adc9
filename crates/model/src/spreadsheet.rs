//! CSV cells safe to open in a spreadsheet, and back: the exports write
//! [`guard`]ed cells, the bulk import reads them with [`unguard`], so an
//! exported ACL imports unchanged.
//!
//! A cell starting with `=`, `+`, `-` or `@` is a formula to Excel,
//! LibreOffice and Google Sheets (OWASP's "CSV injection"); a leading `'`
//! makes it text. To keep that reversible, a cell that already starts with
//! apostrophes before one of those characters gets one more, and
//! [`unguard`] takes exactly one away: `guard` is a bijection and
//! `unguard(guard(s)) == s` for every string.

use std::borrow::Cow;

/// The characters that start a formula.
const FORMULA: [char; 4] = ['=', '+', '-', '@'];

/// Whether `s` is `'*` followed by a formula character.
fn quoted_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA)
}

/// `s` as a cell a spreadsheet shows as text: `'` before a formula.
pub fn guard(s: &str) -> Cow<'_, str> {
    if quoted_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value a [`guard`]ed cell holds: one leading `'` fewer when one or
/// more stand before a formula character, else the cell as it is.
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if quoted_formula(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formulas_become_text_and_come_back() {
        for (value, cell) in [
            ("=1+1", "'=1+1"),
            ("+31 20 555", "'+31 20 555"),
            ("-rack 2", "'-rack 2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("Office", "Office"),
            ("'quoted'", "'quoted'"),
            ("'", "'"),
            ("", ""),
            ("a=b", "a=b"),
            ("192.0.2.0/24", "192.0.2.0/24"),
        ] {
            assert_eq!(guard(value), cell, "{value:?}");
            assert_eq!(unguard(cell), value, "{cell:?}");
        }
    }

    #[test]
    fn a_cell_no_export_wrote_is_read_as_it_is_unless_it_is_a_quoted_formula() {
        // Typed by hand in a spreadsheet, `'=x` shows as `=x`: the same.
        assert_eq!(unguard("'=x"), "=x");
        for plain in ["'tis", "' -x", "x'=", "Lobby"] {
            assert_eq!(unguard(plain), plain);
        }
    }
}
