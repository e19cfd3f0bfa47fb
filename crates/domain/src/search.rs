//! Chinese full-text search tokens, the same on both engines.
//!
//! Text is indexed as its CJK character bigrams (鹿泉区 → 鹿泉 泉区), single
//! CJK characters of one-character runs, and lower-cased ASCII words and
//! numbers. A query matches when every one of its bigrams (and words) is
//! indexed, so two-character words (欠薪, 鹿泉, 科技) and partial names (宏达建材
//! → 宏达 达建 建材) are found without a dictionary; a one-character query is
//! a prefix search. SQLite keeps the tokens in an FTS5 table, PostgreSQL in a
//! `text[]` column with a GIN index (locale-independent, unlike `tsvector`
//! on a `C` database).

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Splits text into runs of CJK characters and of ASCII alphanumerics.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let kind = if is_cjk(c) {
            Some(true)
        } else if c.is_ascii_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (kind, out.last_mut()) {
            (Some(k), Some((lk, s))) if *lk == k && !s.is_empty() => s.push(c),
            (Some(k), _) => out.push((k, c.to_string())),
            (None, Some((_, s))) if !s.is_empty() => out.push((false, String::new())),
            (None, _) => {}
        }
    }
    out.retain(|(_, s)| !s.is_empty());
    out
}

fn push_unique(out: &mut Vec<String>, t: String) {
    if !out.contains(&t) {
        out.push(t);
    }
}

/// The index tokens of some texts (name, address, legal representative …),
/// de-duplicated, in order of appearance.
pub fn index_tokens<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for text in texts {
        for (cjk, run) in runs(text) {
            if cjk {
                let chars: Vec<char> = run.chars().collect();
                if chars.len() == 1 {
                    push_unique(&mut out, run.clone());
                }
                for w in chars.windows(2) {
                    push_unique(&mut out, w.iter().collect());
                }
            } else {
                push_unique(&mut out, run.to_ascii_lowercase());
            }
        }
    }
    out
}

/// A parsed query: tokens that must all be present, and at most one prefix
/// (a one-character CJK query or a trailing partial word).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub all: Vec<String>,
    pub prefixes: Vec<String>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.prefixes.is_empty()
    }

    /// The FTS5 MATCH expression: quoted tokens joined by AND, prefixes as `"x"*`.
    pub fn fts5(&self) -> String {
        let q = |t: &str| format!("\"{}\"", t.replace('"', ""));
        self.all
            .iter()
            .map(|t| q(t))
            .chain(self.prefixes.iter().map(|p| format!("{}*", q(p))))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Parses a search box query (at most 20 tokens are used).
pub fn query(text: &str) -> Query {
    let mut q = Query::default();
    for (cjk, run) in runs(text) {
        if cjk {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                push_unique(&mut q.prefixes, run.clone());
            }
            for w in chars.windows(2) {
                push_unique(&mut q.all, w.iter().collect());
            }
        } else {
            push_unique(&mut q.all, run.to_ascii_lowercase());
        }
    }
    q.all.truncate(20);
    q.prefixes.truncate(3);
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_words_and_single_characters() {
        let t = index_tokens([
            "石家庄鹿泉宏达建材有限公司",
            "鹿泉区 获鹿镇89号 张䶮",
            "A座",
        ]);
        for want in [
            "鹿泉", "宏达", "建材", "泉区", "获鹿", "89", "张䶮", "a", "座",
        ] {
            assert!(t.contains(&want.to_string()), "{want} in {t:?}");
        }
        assert_eq!(
            t.iter().filter(|x| *x == "鹿泉").count(),
            1,
            "de-duplicated"
        );
    }

    #[test]
    fn queries_need_every_bigram() {
        assert_eq!(query("欠薪").all, ["欠薪"]);
        assert_eq!(query("宏达建材").all, ["宏达", "达建", "建材"]);
        let q = query("鹿");
        assert!(q.all.is_empty());
        assert_eq!(q.prefixes, ["鹿"]);
        assert_eq!(q.fts5(), "\"鹿\"*");
        assert_eq!(query("鹿泉 科技").fts5(), "\"鹿泉\" AND \"科技\"");
        assert_eq!(query("ABC-12").all, ["abc", "12"]);
        assert!(query("  ，。").is_empty());
        assert_eq!(query("\"; DROP").all, ["drop"]);
    }

    #[test]
    fn every_query_bigram_of_a_substring_is_indexed() {
        let name = "石家庄市鹿泉区鑫源物流有限公司";
        let idx = index_tokens([name]);
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 2..=chars.len() {
                let sub: String = chars[i..j].iter().collect();
                for t in query(&sub).all {
                    assert!(idx.contains(&t), "{sub}: {t}");
                }
            }
        }
    }
}
