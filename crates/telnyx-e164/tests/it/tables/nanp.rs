//! libphonenumber's validity rules for +1, evaluated exactly over every national number of a
//! given length, by prefix.
//!
//! Each pattern is compiled to a DFA over digits. Walking a prefix through every DFA at once, a
//! subtree whose answer no longer depends on the remaining digits is decided as a whole, so the
//! ten-digit space (10^10 numbers) is covered without enumerating it. The few prefixes whose
//! class still depends on later digits are left `None` and described by ranges of numbers.

use std::collections::HashMap;

use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, MatchKind};
use telnyx_e164::tables::NpaClass;

use super::metadata::{Metadata, TYPES};

const TERRITORIES: &[&str] = &["PR", "VI", "GU", "AS", "MP"];

/// Whether a pattern accepts every, none, or some of the strings below a DFA state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    All,
    None,
    Some,
}

struct Matcher {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
    memo: HashMap<(StateID, usize), Tri>,
}

impl Matcher {
    fn new(pattern: &str) -> Matcher {
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(regex_automata::dfa::StartKind::Anchored),
            )
            .build(&format!("^(?:{pattern})$"))
            .unwrap_or_else(|e| panic!("pattern {pattern}: {e}"));
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .expect("anchored start");
        Matcher {
            dfa,
            start,
            memo: HashMap::new(),
        }
    }

    fn step(&self, s: StateID, digit: u8) -> StateID {
        self.dfa.next_state(s, b'0' + digit)
    }

    /// Over every string of `k` more digits from `s`.
    fn tri(&mut self, s: StateID, k: usize) -> Tri {
        if self.dfa.is_dead_state(s) {
            return Tri::None;
        }
        if k == 0 {
            let end = self.dfa.next_eoi_state(s);
            return if self.dfa.is_match_state(end) {
                Tri::All
            } else {
                Tri::None
            };
        }
        if let Some(t) = self.memo.get(&(s, k)) {
            return *t;
        }
        let mut all = true;
        let mut none = true;
        for d in 0..10 {
            let next = self.step(s, d);
            match self.tri(next, k - 1) {
                Tri::All => none = false,
                Tri::None => all = false,
                Tri::Some => {
                    all = false;
                    none = false;
                }
            }
        }
        let t = match (all, none) {
            (true, _) => Tri::All,
            (_, true) => Tri::None,
            _ => Tri::Some,
        };
        self.memo.insert((s, k), t);
        t
    }
}

/// One region's tests for numbers of one length: its leading digits, its general description and
/// its types in libphonenumber's order (`None`: the length rules it out).
struct RegionRule {
    id: &'static str,
    class: NpaClass,
    us: bool,
    leading: Option<usize>,
    general: Option<usize>,
    types: Vec<(&'static str, Option<usize>)>,
}

/// Every +1 national number of `len` digits: the label (class or region) of each prefix of
/// `len - 4` digits (`None`: not valid, or split), and the valid ranges (first, last, label) of
/// split prefixes, sorted and merged.
pub type ByPrefix<T> = (Vec<Option<T>>, Vec<(u64, u64, T)>);

/// The class of every valid +1 number of `len` digits. See [`ByPrefix`].
pub fn classes_by_prefix(meta: &Metadata, len: u8) -> ByPrefix<NpaClass> {
    by_prefix(meta, len, class_of)
}

/// The region libphonenumber assigns every valid +1 number of `len` digits to (`US`, `CA`,
/// `TT`, ...), whatever its type. See [`ByPrefix`].
pub fn regions_by_prefix(meta: &Metadata, len: u8) -> ByPrefix<&'static str> {
    by_prefix(meta, len, |rule, _| rule.id)
}

/// Every valid +1 number of `len` digits labelled by `label` from its region's rule and its
/// libphonenumber type.
fn by_prefix<T: Copy + PartialEq>(
    meta: &Metadata,
    len: u8,
    label: fn(&RegionRule, &'static str) -> T,
) -> ByPrefix<T> {
    let mut matchers = Vec::new();
    let mut add = |pattern: String| {
        matchers.push(Matcher::new(&pattern));
        matchers.len() - 1
    };
    let mut rules = Vec::new();
    for id in &meta.code_regions[&1] {
        let region = meta.region(1, id);
        let general = region.desc("general_desc").expect("general_desc");
        let fits = |lengths: &[u8]| lengths.is_empty() || lengths.contains(&len);
        let general_m = fits(&general.lengths).then(|| add(general.pattern.clone()));
        let types = TYPES
            .iter()
            .map(|t| {
                let m = region
                    .desc(t)
                    .filter(|d| fits(&d.lengths))
                    .map(|d| add(d.pattern.clone()));
                (*t, m)
            })
            .collect();
        let leading = region
            .leading_digits
            .as_ref()
            .map(|ld| add(format!("(?:{ld})[0-9]*")));
        let static_id: &'static str = Box::leak(id.clone().into_boxed_str());
        let r = telnyx_e164::Region::new(static_id);
        let class = match static_id {
            "US" => NpaClass::UsGeographic,
            "CA" => NpaClass::Canada,
            t if TERRITORIES.contains(&t) => NpaClass::UsTerritory(r),
            _ => NpaClass::OtherNanp(r),
        };
        rules.push(RegionRule {
            id: static_id,
            class,
            us: static_id == "US",
            leading,
            general: general_m,
            types,
        });
    }
    let prefix_len = usize::from(len) - 4;
    let mut out = vec![None; 10usize.pow(prefix_len as u32)];
    let states: Vec<StateID> = matchers.iter().map(|m| m.start).collect();
    let mut ranges: Vec<(u64, u64, T)> = Vec::new();
    let mut walk = Walk {
        matchers,
        rules,
        label,
        len: usize::from(len),
        prefix_len,
        out: &mut out,
        ranges: &mut ranges,
    };
    walk.descend(&states, 0, 0);
    (out, ranges)
}

struct Walk<'a, T> {
    matchers: Vec<Matcher>,
    rules: Vec<RegionRule>,
    label: fn(&RegionRule, &'static str) -> T,
    len: usize,
    prefix_len: usize,
    out: &'a mut Vec<Option<T>>,
    ranges: &'a mut Vec<(u64, u64, T)>,
}

impl<T: Copy + PartialEq> Walk<'_, T> {
    fn descend(&mut self, states: &[StateID], depth: usize, prefix: usize) {
        let remaining = self.len - depth;
        let matchers = &mut self.matchers;
        let mut tri = |i: usize| matchers[i].tri(states[i], remaining);
        if let Some(decided) = decide(&self.rules, &mut tri) {
            let class = decided.map(|(rule, number_type)| (self.label)(rule, number_type));
            if depth <= self.prefix_len {
                let width = 10usize.pow((self.prefix_len - depth) as u32);
                let first = prefix * width;
                for slot in &mut self.out[first..first + width] {
                    *slot = class;
                }
            } else if let Some(class) = class {
                let width = 10u64.pow((self.len - depth) as u32);
                let first = prefix as u64 * width;
                match self.ranges.last_mut() {
                    Some(last) if last.1 + 1 == first && last.2 == class => last.1 += width,
                    _ => self.ranges.push((first, first + width - 1, class)),
                }
            }
            return;
        }
        assert!(depth < self.len, "every test is settled at the last digit");
        for d in 0..10u8 {
            let next: Vec<StateID> = states
                .iter()
                .zip(&self.matchers)
                .map(|(s, m)| m.step(*s, d))
                .collect();
            self.descend(&next, depth + 1, prefix * 10 + usize::from(d));
        }
    }
}

/// libphonenumber's region choice, then its type, for every number below a node; `None` when
/// some test it needs is not yet settled there (`Some(None)`: not valid).
#[allow(clippy::option_option)]
fn decide<'r>(
    rules: &'r [RegionRule],
    tri: &mut impl FnMut(usize) -> Tri,
) -> Option<Option<(&'r RegionRule, &'static str)>> {
    let mut test = |m: Option<usize>| -> Option<bool> {
        match m.map(&mut *tri) {
            None | Some(Tri::None) => Some(false),
            Some(Tri::All) => Some(true),
            Some(Tri::Some) => None,
        }
    };
    // getRegionCodeForNumberFromRegionList: leading digits if the region has them, else a type.
    for rule in rules {
        let chosen = match rule.leading {
            Some(ld) => test(Some(ld))?,
            None => number_type(rule, &mut test)?.is_some(),
        };
        if chosen {
            return Some(number_type(rule, &mut test)?.map(|t| (rule, t)));
        }
    }
    Some(None)
}

/// getNumberTypeHelper: the first type whose description matches, if the general one does.
fn number_type(
    rule: &RegionRule,
    test: &mut impl FnMut(Option<usize>) -> Option<bool>,
) -> Option<Option<&'static str>> {
    if !test(rule.general)? {
        return Some(None);
    }
    for (name, m) in &rule.types {
        if test(*m)? {
            return Some(Some(name));
        }
    }
    Some(None)
}

/// The class of a number of `rule`'s region with libphonenumber type `number_type`. Only a US
/// number is toll-free, premium or non-geographic: a number of another region (Canada, a
/// territory, a Caribbean country) is that region's whatever its type there.
fn class_of(rule: &RegionRule, number_type: &str) -> NpaClass {
    if !rule.us {
        return rule.class;
    }
    match number_type {
        "toll_free" => NpaClass::TollFree,
        "premium_rate" => NpaClass::PremiumRate,
        "fixed_line" | "mobile" => rule.class,
        _ => NpaClass::NonGeographic,
    }
}
