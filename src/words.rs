//! Counted nouns in messages: "1 file", "2 files", "1 entry", "3 entries"
//! — never "file(s)" or "entr(ies)".

/// `n` and `noun` (singular), pluralized when `n` is not 1. The plural
/// adds `s`, or turns a final consonant-`y` into `ies`; the last word of a
/// phrase is the one pluralized ("client target" → "client targets").
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` as it reads after the number `n`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        return noun.to_owned();
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

/// Names as a sentence lists them: "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub fn names(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{count, names};

    #[test]
    fn names_read_as_a_list() {
        let list = |items: &[&str]| names(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b"]), "`a` and `b`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
    }

    #[test]
    fn counts_read_as_english() {
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(1, "entry"), "1 entry");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(3, "key"), "3 keys");
        assert_eq!(count(2, "client target"), "2 client targets");
        assert_eq!(
            count(2, "unresolvable reference"),
            "2 unresolvable references"
        );
    }
}
