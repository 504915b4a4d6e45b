//! Which projects each member has taken part in: a key per member and project (`j`, the
//! member's number, 4 bytes big-endian, then the project's slug), kept in the projects' table.
//!
//! A member's page lists its spells in every project; without this index it reads every
//! project (15 projects of 2,000 spells each in the benchmark) to find the one or two it is in.
//! With it, the page reads the member's keys (a prefix scan) and only those projects.
//!
//! A member is listed under a project when it has a spell there, at any date, ended or not:
//! what the project pieces hold. Only joining adds a spell; only a void or a fact entered late
//! (a project decided again) takes one away, and then the projects' old and new spells are
//! compared (see [`pairs_changed`]).

use std::collections::{BTreeMap, BTreeSet};

use coop_core::{MemberNo, Project};

use super::Put;
use crate::backend::Table;
use crate::Result;

/// The tag of the index's keys.
pub(super) const TAG: u8 = b'j';

/// The value under each key: the key is what says it; an empty value would mean "remove".
const LISTED: &[u8] = &[1];

fn key(n: MemberNo, slug: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(5 + slug.len());
    k.push(TAG);
    k.extend_from_slice(&n.0.to_be_bytes());
    k.extend_from_slice(slug.as_bytes());
    k
}

fn prefix(n: MemberNo) -> Vec<u8> {
    let mut k = vec![TAG];
    k.extend_from_slice(&n.0.to_be_bytes());
    k
}

/// The members with a spell in `project`, each once.
fn members_of(project: &Project) -> BTreeSet<MemberNo> {
    project.spells.iter().filter_map(|s| s.who.member()).collect()
}

/// The (member, project) pairs whose listing may differ between `old` and `new`, two versions
/// of the project `slug` (either absent): the members in one and not the other.
pub(super) fn pairs_changed(slug: &str, old: Option<&Project>, new: Option<&Project>) -> Vec<(MemberNo, String)> {
    let (old, new) = (old.map(members_of).unwrap_or_default(), new.map(members_of).unwrap_or_default());
    old.symmetric_difference(&new).map(|n| (*n, slug.to_string())).collect()
}

/// Gives `put` the listing of each pair in `pairs`, as `projects` (those of the state after the
/// change) say it: listed, or removed (an empty value).
pub(super) fn encode(projects: &BTreeMap<String, Project>, pairs: &BTreeSet<(MemberNo, String)>, put: &mut Put<'_>) -> Result<()> {
    // Each project's members once, not its spells searched once per pair (an import joins
    // thousands of members in one batch).
    let mut members: BTreeMap<&str, BTreeSet<MemberNo>> = BTreeMap::new();
    for (n, slug) in pairs {
        let listed = match members.get(slug.as_str()) {
            Some(m) => m.contains(n),
            None => {
                let m = projects.get(slug).map(members_of).unwrap_or_default();
                let listed = m.contains(n);
                members.insert(slug, m);
                listed
            }
        };
        put(key(*n, slug), if listed { LISTED.to_vec() } else { Vec::new() })?;
    }
    Ok(())
}

/// Every pair of `projects`, for a bulk write of the whole state.
pub(super) fn all(projects: &BTreeMap<String, Project>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> =
        projects.values().flat_map(|p| members_of(p).into_iter().map(|n| (key(n, &p.slug), LISTED.to_vec()))).collect();
    out.sort_unstable();
    out
}

/// The slugs of the projects member `n` has taken part in, as the index lists them.
pub(super) fn of(table: &dyn Table, n: MemberNo) -> Result<Vec<String>> {
    let prefix = prefix(n);
    table
        .scan_prefix(&prefix)
        .map(|item| {
            let (k, _) = item?;
            String::from_utf8(k[prefix.len()..].to_vec()).map_err(|_| super::bad_key(&k))
        })
        .collect()
}

/// The first difference between the pairs the index lists and those `projects` (a fold of the
/// log) hold, said; `None` when they are the same.
pub(super) fn difference(table: &dyn Table, projects: &BTreeMap<String, Project>) -> Result<Option<String>> {
    let said = |k: &[u8]| -> String {
        match k.get(1..5).and_then(|n| <[u8; 4]>::try_from(n).ok()) {
            Some(n) => format!("member {} in project '{}'", u32::from_be_bytes(n), String::from_utf8_lossy(&k[5..])),
            None => format!("a malformed key {k:?}"),
        }
    };
    let mut expected = all(projects).into_iter().map(|(k, _)| k);
    for item in table.scan_prefix(&[TAG]) {
        let (k, v) = item?;
        match expected.next() {
            Some(e) if e.as_slice() == &*k => {
                if &*v != LISTED {
                    return Ok(Some(format!("the index of who took part in which project keeps {} with an unknown value", said(&k))));
                }
            }
            Some(e) if e.as_slice() < &*k => {
                return Ok(Some(format!("the index of who took part in which project lacks {}", said(&e))));
            }
            _ => return Ok(Some(format!("the index of who took part in which project lists {}, who has no spell there", said(&k)))),
        }
    }
    Ok(expected.next().map(|e| format!("the index of who took part in which project lacks {}", said(&e))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sled::SledTable;
    use chrono::NaiveDate;
    use coop_core::{Participant, ProjectRole, Spell, Stage};

    fn project(slug: &str, members: &[u32]) -> Project {
        let day = NaiveDate::from_ymd_opt(2021, 1, 10).unwrap();
        let spell = |who| Spell { who, joined: day, left: None, roles: vec![(day, ProjectRole::Contributor)] };
        let mut spells: Vec<Spell> = members.iter().map(|n| spell(Participant::Member(MemberNo(*n)))).collect();
        spells.push(spell(Participant::Partner(ulid::Ulid::from_parts(1, 2))));
        Project {
            slug: slug.into(),
            name: slug.into(),
            description: String::new(),
            created: day,
            stages: vec![(day, Stage::Idea)],
            spells,
            last_date: day,
        }
    }

    fn table() -> SledTable {
        SledTable(sled::Config::new().temporary(true).open().unwrap().open_tree("p").unwrap())
    }

    /// Writes what `encode` gives for `pairs` as the store does (an empty value removes).
    fn write(t: &SledTable, projects: &BTreeMap<String, Project>, pairs: &[(u32, &str)]) {
        let pairs: BTreeSet<(MemberNo, String)> = pairs.iter().map(|(n, s)| (MemberNo(*n), s.to_string())).collect();
        encode(projects, &pairs, &mut |k, v| if v.is_empty() { t.remove(&k) } else { t.insert(&k, &v) }).unwrap();
    }

    /// Only the members in one version of a project and not the other are re-listed (a member
    /// with two spells counts once; partners are not listed).
    #[test]
    fn the_pairs_to_list_again_are_the_members_in_one_version_only() {
        let (old, new) = (project("p", &[1, 2, 2, 3]), project("p", &[2, 3, 4]));
        assert_eq!(pairs_changed("p", Some(&old), Some(&new)), vec![(MemberNo(1), "p".to_string()), (MemberNo(4), "p".to_string())]);
        assert_eq!(pairs_changed("p", None, Some(&new)).len(), 3);
        assert_eq!(pairs_changed("p", Some(&old), None).len(), 3);
    }

    /// A pair is listed while the member has a spell there and removed once it has none; what
    /// is kept is then found equal to the projects, and a listing too many or too few is named.
    #[test]
    fn listings_follow_the_projects_and_a_difference_is_named() {
        let t = table();
        let mut projects: BTreeMap<String, Project> =
            [project("p", &[1, 2]), project("q", &[2])].into_iter().map(|p| (p.slug.clone(), p)).collect();
        write(&t, &projects, &[(1, "p"), (2, "p"), (2, "q")]);
        assert_eq!(of(&t, MemberNo(2)).unwrap(), ["p", "q"]);
        assert_eq!(of(&t, MemberNo(3)).unwrap(), Vec::<String>::new());
        assert_eq!(difference(&t, &projects).unwrap(), None);
        // Member 2's spell in q goes (a void): asked again, its listing is removed.
        projects.insert("q".into(), project("q", &[]));
        write(&t, &projects, &[(2, "q")]);
        assert_eq!(of(&t, MemberNo(2)).unwrap(), ["p"]);
        assert_eq!(difference(&t, &projects).unwrap(), None);
        // Member 3 joins p, but its listing is not written: the index lacks it.
        projects.insert("p".into(), project("p", &[1, 2, 3]));
        let said = difference(&t, &projects).unwrap().unwrap();
        assert!(said.contains("lacks member 3 in project 'p'"), "{said}");
        write(&t, &projects, &[(3, "p")]);
        assert_eq!(difference(&t, &projects).unwrap(), None);
        // A listing of a member with no spell there is named too.
        t.insert(&key(MemberNo(1), "q"), LISTED).unwrap();
        let said = difference(&t, &projects).unwrap().unwrap();
        assert!(said.contains("lists member 1 in project 'q', who has no spell there"), "{said}");
    }
}
