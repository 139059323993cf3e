//! Merging masked messages into templates, decided on the whole file.
//!
//! Input: the distinct masked messages of a file (token lists) with their
//! line counts. Messages of the same token count that differ in exactly one
//! position form a *family* at that position; the position becomes a
//! variable when the values it takes look like a variable: one of them is
//! already `<*>`, all of them contain digits, they follow a `<*>` and are
//! short (units: `KB`/`MB`), or there are many of them (at least
//! [`MIN_VALUES`]) or mostly one-off. A few distinct words each repeated
//! often (`VM Started` / `VM Paused`, state names) stay constants, and so
//! do HTTP status codes (`mask/status.rs`). Merging is
//! repeated until nothing changes, so messages differing in several
//! variable positions converge too. The merged token keeps the punctuation
//! the values share around the variable (`user=<*>`, `[<*>]`, `MININT-<*>`).

use super::mask::{is_status_token, VAR};
use std::collections::HashMap;

/// At least this many distinct words at one position make it a variable.
pub const MIN_VALUES: usize = 5;

/// One distinct masked message.
pub struct Group {
    /// Its tokens after masking.
    pub toks: Vec<String>,
    /// How many lines carry it.
    pub count: usize,
}

/// Returns, for each input group, its final template text.
pub fn merge(groups: &[Group]) -> Vec<String> {
    let mut cur: Vec<Vec<String>> = groups.iter().map(|g| g.toks.clone()).collect();
    let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        by_len.entry(g.toks.len()).or_default().push(i);
    }
    let mut lens: Vec<usize> = by_len.keys().copied().collect();
    lens.sort_unstable();
    for len in lens {
        let members = &by_len[&len];
        if members.len() < 2 || len == 0 {
            continue;
        }
        merge_same_length(&mut cur, members, groups, len);
    }
    cur.iter().map(|t| render(t)).collect()
}

/// A token's hash, mixed with its position.
fn token_at(t: &str, j: usize) -> u64 {
    let mut z = super::hash64(t.as_bytes()) ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn merge_same_length(cur: &mut [Vec<String>], members: &[usize], groups: &[Group], len: usize) {
    // A family key ("the same tokens everywhere but at p") is the sum of the
    // position-mixed token hashes minus the one at p: O(1) per member and
    // position instead of a vector of tokens (64-bit hashes, as keys are
    // counted in `super`).
    let mut th: Vec<Vec<u64>> =
        members.iter().map(|&i| cur[i].iter().enumerate().map(|(j, t)| token_at(t, j)).collect()).collect();
    let mut total: Vec<u64> = th.iter().map(|h| h.iter().fold(0u64, |a, &x| a.wrapping_add(x))).collect();
    loop {
        let mut changed = false;
        for p in 0..len {
            // families: same tokens everywhere but at p
            let mut fam: HashMap<u64, Vec<usize>> = HashMap::new();
            for (m, &i) in members.iter().enumerate() {
                fam.entry(total[m].wrapping_sub(th[m][p])).or_default().push(i);
            }
            let mut decisions: Vec<(Vec<usize>, String)> = Vec::new();
            for idxs in fam.values() {
                // the shared part must say something: at least one word
                let says = cur[idxs[0]]
                    .iter()
                    .enumerate()
                    .any(|(j, t)| j != p && t.bytes().any(|c| c.is_ascii_alphabetic()));
                if idxs.len() < 2 || !says {
                    continue;
                }
                let mut vals: Vec<(&str, usize)> = Vec::new();
                for &i in idxs {
                    let v = cur[i][p].as_str();
                    match vals.iter_mut().find(|(x, _)| *x == v) {
                        Some(e) => e.1 += groups[i].count,
                        None => vals.push((v, groups[i].count)),
                    }
                }
                if vals.len() < 2 {
                    continue;
                }
                let prev = if p > 0 { Some(cur[idxs[0]][p - 1].as_str()) } else { None };
                if should_merge(&vals, prev) {
                    let g = generalize(&vals.iter().map(|v| v.0).collect::<Vec<_>>());
                    decisions.push((idxs.clone(), g));
                }
            }
            for (idxs, g) in decisions {
                let h = token_at(&g, p);
                for i in idxs {
                    if cur[i][p] != g {
                        cur[i][p] = g.clone();
                        changed = true;
                        let m = members.binary_search(&i).expect("a member");
                        total[m] = total[m].wrapping_sub(th[m][p]).wrapping_add(h);
                        th[m][p] = h;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

fn should_merge(vals: &[(&str, usize)], prev: Option<&str>) -> bool {
    let n = vals.len();
    if vals.iter().all(|(v, _)| is_status_token(v)) {
        // HTTP status codes the masker kept: `... 200` and `... 503` differ
        return false;
    }
    if vals.iter().any(|(v, _)| *v == VAR) {
        return true;
    }
    if vals.iter().all(|(v, _)| v.bytes().any(|c| c.is_ascii_digit())) {
        return true;
    }
    if prev.is_some_and(|t| t.ends_with(VAR))
        && vals.iter().all(|(v, _)| v.trim_matches(|c: char| !c.is_alphanumeric()).len() <= 3)
    {
        return true;
    }
    if n >= MIN_VALUES {
        return true;
    }
    false
}

/// `<*>` with the punctuation all values share at both ends.
pub fn generalize(vals: &[&str]) -> String {
    let first = vals[0].as_bytes();
    let mut pre = first.len();
    let mut suf = first.len();
    for v in &vals[1..] {
        let b = v.as_bytes();
        pre = pre.min(first.iter().zip(b).take_while(|(a, b)| a == b).count());
        suf = suf.min(first.iter().rev().zip(b.iter().rev()).take_while(|(a, b)| a == b).count());
    }
    let shortest = vals.iter().map(|v| v.len()).min().unwrap_or(0);
    // cut the prefix back to just after a punctuation char
    while pre > 0 && !is_boundary(first[pre - 1]) {
        pre -= 1;
    }
    while suf > 0 && !is_boundary(first[first.len() - suf]) {
        suf -= 1;
    }
    if pre + suf > shortest {
        suf = shortest.saturating_sub(pre);
        while suf > 0 && !is_boundary(first[first.len() - suf]) {
            suf -= 1;
        }
    }
    let mut out = String::with_capacity(pre + suf + 3);
    out.push_str(&vals[0][..pre]);
    out.push_str(VAR);
    out.push_str(&vals[0][first.len() - suf..]);
    out
}

fn is_boundary(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && !matches!(c, b'<' | b'*' | b'>' | b'_' | b'.' | b'$') && c < 0x80
}

/// Joins tokens with single spaces, collapsing adjacent `<*>`.
pub fn render(toks: &[String]) -> String {
    let mut out = String::new();
    let mut prev_var = false;
    for t in toks {
        let is_var = t == VAR;
        if is_var && prev_var {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
        prev_var = is_var;
    }
    while out.contains("<*><*>") {
        out = out.replace("<*><*>", VAR);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str, count: usize) -> Group {
        Group { toks: s.split(' ').map(String::from).collect(), count }
    }

    #[test]
    fn few_repeated_words_stay_constant() {
        let gs = vec![g("VM Started", 40), g("VM Paused", 30), g("VM Resumed", 30), g("VM Stopped", 20)];
        let t = merge(&gs);
        assert_eq!(t, ["VM Started", "VM Paused", "VM Resumed", "VM Stopped"]);
    }

    #[test]
    fn many_words_become_variable() {
        let users = ["alice", "bob", "carol", "dave", "eve", "frank"];
        let gs: Vec<Group> = users.iter().map(|u| g(&format!("Invalid user {u} from <*>"), 2)).collect();
        assert!(merge(&gs).iter().all(|t| t == "Invalid user <*> from <*>"));
    }

    #[test]
    fn variable_next_to_known_variable() {
        let gs = vec![g("for <*> from", 300), g("for uucp from", 3)];
        assert!(merge(&gs).iter().all(|t| t == "for <*> from"));
        let gs = vec![g("size <*> KB, free", 3), g("size <*> B, free", 3)];
        assert!(merge(&gs).iter().all(|t| t == "size <*> <*>, free"));
    }

    #[test]
    fn generalize_keeps_shared_punctuation() {
        assert_eq!(generalize(&["user=root", "user=fztu"]), "user=<*>");
        assert_eq!(generalize(&["[a]", "[bb]"]), "[<*>]");
        assert_eq!(generalize(&["MININT-FNANLI5.x", "MININT-ABC.y"]), "MININT-<*>");
        assert_eq!(generalize(&["a", "b"]), "<*>");
    }
}
