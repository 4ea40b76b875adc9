//! Password strength estimate and a policy-compliant generator.
//!
//! Deliberately small (no dictionaries) so the wasm bundle stays lean: an
//! entropy estimate from length and character classes, minus what attackers
//! try first (runs, sequences, a short list of common words).

use crate::Password;

/// How strong a password looks: a score 0–4, a word for it, and hints
/// that say what to do, most useful first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    pub score: u8,
    pub label: &'static str,
    pub hints: Vec<String>,
}

const LABELS: [&str; 5] = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
const COMMON: [&str; 14] = [
    "password", "passw0rd", "qwerty", "letmein", "welcome", "admin", "secret", "sipuser", "monkey",
    "dragon", "iloveyou", "abc123", "123456", "111111",
];
const SEQUENCES: [&str; 3] = [
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
];

/// Estimates the strength of `password`. An empty password scores 0.
pub fn estimate(password: &str) -> Strength {
    let chars: Vec<char> = password.chars().collect();
    let lower = chars.iter().any(|c| c.is_ascii_lowercase());
    let upper = chars.iter().any(|c| c.is_ascii_uppercase());
    let digit = chars.iter().any(|c| c.is_ascii_digit());
    let symbol = chars.iter().any(|c| c.is_ascii_punctuation() || *c == ' ');
    let other = chars.iter().any(|c| !c.is_ascii());
    let pool: u32 = [
        (lower, 26),
        (upper, 26),
        (digit, 10),
        (symbol, 33),
        (other, 100),
    ]
    .iter()
    .filter(|(present, _)| *present)
    .map(|(_, n)| n)
    .sum();
    let per_char = if pool == 0 {
        0.0
    } else {
        f64::from(pool).log2()
    };

    // Characters that add little: the 3rd+ of a run, the 3rd+ of a sequence.
    let folded: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let mut weak = vec![false; chars.len()];
    let mut has_run = false;
    let mut has_sequence = false;
    for i in 2..folded.len() {
        if folded[i] == folded[i - 1] && folded[i] == folded[i - 2] {
            weak[i] = true;
            has_run = true;
        }
        let tri: String = folded[i - 2..=i].iter().collect();
        let rev: String = tri.chars().rev().collect();
        if SEQUENCES
            .iter()
            .any(|s| s.contains(&tri) || s.contains(&rev))
        {
            weak[i] = true;
            has_sequence = true;
        }
    }
    let lowered: String = folded.iter().collect();
    let mut common_word = None;
    for word in COMMON {
        if let Some(start) = lowered.find(word) {
            let first = lowered[..start].chars().count();
            for w in weak.iter_mut().skip(first).take(word.chars().count()) {
                *w = true;
            }
            common_word = Some(word);
        }
    }
    let strong_chars = weak.iter().filter(|w| !**w).count();
    let weak_chars = chars.len() - strong_chars;
    let bits = strong_chars as f64 * per_char + weak_chars as f64 * 1.0;
    let score = match bits {
        b if b < 28.0 => 0,
        b if b < 45.0 => 1,
        b if b < 65.0 => 2,
        b if b < 90.0 => 3,
        _ => 4,
    };

    let mut hints = Vec::new();
    if chars.len() < 16 {
        hints.push(format!(
            "Add {} more character{} (16 or more is best).",
            16 - chars.len(),
            if 16 - chars.len() == 1 { "" } else { "s" }
        ));
    }
    if !upper {
        hints.push("Add an uppercase letter.".to_string());
    }
    if !lower {
        hints.push("Add a lowercase letter.".to_string());
    }
    if !digit {
        hints.push("Add a digit.".to_string());
    }
    if let Some(word) = common_word {
        hints.push(format!("Avoid common words like \"{word}\"."));
    }
    if has_sequence {
        hints.push("Avoid sequences like \"abc\" or \"123\".".to_string());
    }
    if has_run {
        hints.push("Avoid repeating a character three times.".to_string());
    }
    if hints.is_empty() && score < 4 && !symbol {
        hints.push("Add a symbol such as ! or #, or make it longer.".to_string());
    }
    Strength {
        score,
        label: LABELS[score as usize],
        hints,
    }
}

/// Letters and digits without the look-alikes (I, O, l, o, 0, 1): easy to
/// read aloud or type into a desk phone, and accepted by every SIP device.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// Generated passwords are this long: about 116 bits of entropy.
pub const GENERATED_LENGTH: usize = 20;

/// Generates a password that meets the policy, drawing bytes from `fill`
/// (the browser's crypto RNG in the console). Unbiased: bytes that would
/// favour some characters are rejected.
pub fn generate(mut fill: impl FnMut(&mut [u8])) -> Password {
    let limit = 256 - (256 % ALPHABET.len());
    loop {
        let mut out = String::with_capacity(GENERATED_LENGTH);
        let mut buf = [0u8; 64];
        while out.len() < GENERATED_LENGTH {
            fill(&mut buf);
            for b in buf {
                if (b as usize) < limit && out.len() < GENERATED_LENGTH {
                    out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
                }
            }
        }
        if let Ok(p) = Password::parse(&out) {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn scores_rise_with_real_strength() {
        // (password, lowest acceptable score, highest acceptable score)
        let table = [
            ("", 0, 0),
            ("password", 0, 0),
            ("Password1234", 0, 1),
            ("Abcdefghijk1", 0, 1),
            ("aaaaaaaaaaaA1", 0, 1),
            ("Tr7kx9Qm2vLp", 2, 3),
            ("Tr7kx9Qm2vLpW4nz", 3, 4),
            ("Tr7kx9Qm2vLpW4nzHs8dRb5c", 4, 4),
            ("correct horse battery staple 7X", 4, 4),
        ];
        for (pw, lo, hi) in table {
            let s = estimate(pw);
            assert!(
                (lo..=hi).contains(&s.score),
                "{pw:?}: score {} not in {lo}..={hi} ({:?})",
                s.score,
                s.hints
            );
            assert_eq!(s.label, LABELS[s.score as usize]);
        }
    }

    #[test]
    fn hints_say_what_to_do() {
        let s = estimate("password");
        assert!(s
            .hints
            .iter()
            .any(|h| h == "Add 8 more characters (16 or more is best)."));
        assert!(s.hints.iter().any(|h| h == "Add an uppercase letter."));
        assert!(s.hints.iter().any(|h| h == "Add a digit."));
        assert!(s.hints.iter().any(|h| h.contains("\"password\"")));
        assert!(estimate("Abc123xyzQQQ")
            .hints
            .iter()
            .any(|h| h.contains("sequences")));
        assert!(estimate("Xk9aaaaTq2mz")
            .hints
            .iter()
            .any(|h| h.contains("three times")));
        assert!(estimate("Tr7kx9Qm2vLpW4nzHs8dRb5c").hints.is_empty());
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        // A deterministic byte source (xorshift) stands in for the RNG.
        let mut state: u32 = 0x9E37_79B9;
        let mut fill = |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                *b = state as u8;
            }
        };
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let p = generate(&mut fill);
            assert_eq!(p.expose().chars().count(), GENERATED_LENGTH);
            assert!(Password::parse(p.expose()).is_ok());
            assert!(p.expose().bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(estimate(p.expose()).score, 4, "{:?}", p.expose());
            seen.insert(p.expose().to_string());
        }
        assert_eq!(seen.len(), 200, "generated passwords repeat");
    }

    #[test]
    fn generator_rejects_biased_bytes() {
        // Only bytes >= the rejection limit, then valid ones: the output must
        // come entirely from the second batch.
        let mut calls = 0;
        let p = generate(|buf: &mut [u8]| {
            calls += 1;
            for (i, b) in buf.iter_mut().enumerate() {
                *b = if calls == 1 { 255 } else { (i * 7 % 56) as u8 };
            }
        });
        assert!(calls >= 2);
        assert!(Password::parse(p.expose()).is_ok());
    }
}
