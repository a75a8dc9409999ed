//! Splits text into lowercase tokens: words, numbers and the few symbols that carry meaning.
//! Catalog terms and area names go through the same function, so "k-pop", "kpop" and "K Pop"
//! meet on equal terms.
//!
//! - Letters and digits part ways ("5pm" -> 5 pm, "8yo" -> 8 yo, "25th" -> 25 th).
//! - Accents fold to ASCII ("español" -> espanol); apostrophes join ("hell's" -> hells).
//! - "&" is the word "and"; "@" is "at".
//! - "$", "/", "," and "<" are symbol tokens; ":", "-" and "." are symbols only between digits
//!   ("5:30", "3-5", "$49.99"), elsewhere they separate words ("in-person" -> in person).
//! - "a.m."/"p.m." after a number become "am"/"pm".

/// Queries are short; anything past this is ignored so a pasted essay costs no more than a query.
const MAX_CHARS: usize = 300;
const MAX_TOKENS: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Num,
    Sym,
}

#[derive(Clone, Debug)]
pub(super) struct Tok {
    /// Lowercase, accents folded: what goes into `Parsed::text`.
    pub raw: String,
    /// Plural-insensitive form, used for matching.
    pub stem: String,
    /// The vocabulary word an unknown word was probably meant to be.
    pub fixed: Option<String>,
    /// Written in capitals ("SAT"), a hint that an abbreviation is meant.
    pub upper: bool,
    pub kind: Kind,
}

impl Tok {
    fn new(raw: String, kind: Kind, upper: bool) -> Self {
        let stem = if kind == Kind::Word {
            stem(&raw)
        } else {
            raw.clone()
        };
        Self {
            raw,
            stem,
            fixed: None,
            upper,
            kind,
        }
    }

    /// The form matched against phrases and patterns.
    pub fn word(&self) -> &str {
        self.fixed.as_deref().unwrap_or(&self.stem)
    }

    /// The value of a number token; `None` for words and for numbers too long to mean anything.
    pub fn num(&self) -> Option<u32> {
        if self.kind == Kind::Num && self.raw.len() <= 9 {
            self.raw.parse().ok()
        } else {
            None
        }
    }
}

pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().take(MAX_CHARS).collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut cur = String::new();
    let mut cur_kind = Kind::Word;
    let mut cur_upper = true;
    let flush = |out: &mut Vec<Tok>, cur: &mut String, kind: Kind, upper: &mut bool| {
        if !cur.is_empty() {
            out.push(Tok::new(
                std::mem::take(cur),
                kind,
                *upper && kind == Kind::Word,
            ));
        }
        *upper = true;
    };
    for (i, &c) in chars.iter().enumerate() {
        if out.len() >= MAX_TOKENS {
            break;
        }
        let kind = if c.is_ascii_digit() {
            Some(Kind::Num)
        } else if c.is_alphabetic() {
            Some(Kind::Word)
        } else {
            None
        };
        if let Some(kind) = kind {
            if kind != cur_kind {
                flush(&mut out, &mut cur, cur_kind, &mut cur_upper);
                cur_kind = kind;
            }
            if kind == Kind::Num {
                cur.push(c);
            } else {
                cur_upper &= c.is_uppercase();
                cur.extend(c.to_lowercase().map(fold));
            }
            continue;
        }
        if matches!(c, '\'' | '\u{2019}' | '`') {
            continue;
        }
        flush(&mut out, &mut cur, cur_kind, &mut cur_upper);
        let after_number = out.last().is_some_and(|t| t.kind == Kind::Num);
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let symbol = match c {
            '$' | '/' | ',' | '<' => Some(c),
            ':' | '.' | '-' if after_number && next.is_ascii_digit() => Some(c),
            '-' if after_number && next == '$' => Some(c),
            _ => None,
        };
        if let Some(s) = symbol {
            out.push(Tok::new(s.to_string(), Kind::Sym, false));
        } else if c == '&' {
            out.push(Tok::new("and".into(), Kind::Word, false));
        } else if c == '@' {
            out.push(Tok::new("at".into(), Kind::Word, false));
        }
    }
    if out.len() < MAX_TOKENS {
        flush(&mut out, &mut cur, cur_kind, &mut cur_upper);
    }
    join_meridiem(out)
}

/// "5 p.m." arrives as 5 p m; make it 5 pm.
fn join_meridiem(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut it = toks.into_iter().peekable();
    while let Some(t) = it.next() {
        let after_number = out.last().is_some_and(|p| p.kind == Kind::Num);
        if after_number && (t.raw == "a" || t.raw == "p") && it.peek().is_some_and(|n| n.raw == "m")
        {
            it.next();
            out.push(Tok::new(format!("{}m", t.raw), Kind::Word, false));
        } else {
            out.push(t);
        }
    }
    out
}

fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// A light plural folding, applied alike to queries and vocabulary, so "lessons" meets
/// "lesson" and "maths" meets "math". Not a real stemmer: it only has to be consistent.
pub(super) fn stem(w: &str) -> String {
    let n = w.len();
    if !w.is_ascii() || n < 4 {
        return w.to_string();
    }
    if n >= 5 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    if n >= 5
        && ["sses", "ches", "shes", "xes"]
            .iter()
            .any(|e| w.ends_with(e))
    {
        return w[..n - 2].to_string();
    }
    if w.ends_with('s') && !["ss", "us", "is", "as"].iter().any(|e| w.ends_with(e)) {
        return w[..n - 1].to_string();
    }
    w.to_string()
}
