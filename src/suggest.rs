//! "Did you mean": the known names nearest to a misspelt one.

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let value = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// Words longer than this get no suggestion.
const MAX_SUGGESTED_LEN: usize = 64;

/// The candidates nearest to `name` (at most `max` edits), nearest first.
pub fn nearest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>, max: usize) -> Vec<&'c str> {
    // Nothing is near a very long word; and lengths that differ by more than `max` cannot
    // be within `max` edits, which spares most of the table.
    let len = name.chars().count();
    if len > MAX_SUGGESTED_LEN {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(len) <= max)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= max)
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("proxyNmae", "proxyName"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(nearest("secur", ["secure", "scheme", "port"], 2), ["secure"]);
    }
}
