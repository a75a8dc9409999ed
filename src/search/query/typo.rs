//! Typo tolerance: the vocabulary word closest to an unknown word by Damerau–Levenshtein
//! distance (optimal string alignment: a swap of neighbours counts 1). Allowed distance: 1 for
//! words of 4-7 letters, 2 from 8 letters, none below 4. Candidates must share the first letter
//! (or have the first two swapped): people rarely mistype the first letter, and the rule keeps
//! "play" from becoming "clay" and "book" from becoming "cook". Ties go to the word added first;
//! the vocabulary adds service words first, in catalog order, so "violn" is violin, not viola.

use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Speller {
    /// Candidates in the order added: the index is the tie-break rank.
    words: Vec<Vec<char>>,
    by_first: HashMap<char, Vec<usize>>,
    seen: HashMap<String, usize>,
}

fn allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

impl Speller {
    pub fn add(&mut self, word: &str) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 3
            || !chars.iter().all(|c| c.is_alphabetic())
            || self.seen.contains_key(word)
        {
            return;
        }
        let rank = self.words.len();
        self.seen.insert(word.to_string(), rank);
        if let Some(&first) = chars.first() {
            self.by_first.entry(first).or_default().push(rank);
        }
        self.words.push(chars);
    }

    pub fn word(&self, rank: usize) -> String {
        self.words
            .get(rank)
            .map(|w| w.iter().collect())
            .unwrap_or_default()
    }

    /// The distance and rank of the closest word within the allowed distance, if any.
    pub fn closest(&self, word: &str) -> Option<(usize, usize)> {
        let chars: Vec<char> = word.chars().collect();
        let max = allowed(chars.len());
        if max == 0 || !chars.iter().all(|c| c.is_alphabetic()) {
            return None;
        }
        let same_first = chars
            .first()
            .and_then(|c| self.by_first.get(c))
            .into_iter()
            .flatten();
        // "ipano": the first two letters swapped.
        let swapped = chars
            .get(1)
            .filter(|&&c| Some(&c) != chars.first())
            .and_then(|c| self.by_first.get(c))
            .into_iter()
            .flatten()
            .filter(|&&r| self.words[r].get(1) == chars.first());
        let mut best: Option<(usize, usize)> = None;
        for &rank in same_first.chain(swapped) {
            let candidate = &self.words[rank];
            if candidate.len().abs_diff(chars.len()) > max {
                continue;
            }
            let d = distance(&chars, candidate);
            if d <= max && best.is_none_or(|b| (d, rank) < b) {
                best = Some((d, rank));
            }
        }
        best
    }
}

/// Optimal string alignment distance.
fn distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    struct Corrector<'a>(&'a Speller);

    impl Corrector<'_> {
        fn correct(&self, w: &str) -> Option<String> {
            self.0.closest(w).map(|(_, rank)| self.0.word(rank))
        }
    }

    #[test]
    fn swaps_count_as_one_edit() {
        assert_eq!(distance(&chars("paino"), &chars("piano")), 1);
        assert_eq!(distance(&chars("guittar"), &chars("guitar")), 1);
        assert_eq!(distance(&chars("violn"), &chars("violin")), 1);
        assert_eq!(distance(&chars("drums"), &chars("piano")), 5);
        assert_eq!(distance(&chars(""), &chars("abc")), 3);
    }

    #[test]
    fn short_words_and_far_words_are_left_alone() {
        let mut speller = Speller::default();
        for w in ["piano", "drum", "violin", "viola", "saturday"] {
            speller.add(w);
        }
        let s = Corrector(&speller);
        assert_eq!(s.correct("paino").as_deref(), Some("piano"));
        assert_eq!(s.correct("ipano").as_deref(), Some("piano"));
        assert_eq!(s.correct("violn").as_deref(), Some("violin"));
        assert_eq!(s.correct("satruday").as_deref(), Some("saturday"));
        assert_eq!(s.correct("sturdy"), None);
        assert_eq!(s.correct("drm"), None);
        assert_eq!(s.correct("xpiano"), None);
    }
}
