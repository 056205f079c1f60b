//! Strict and lenient parse+classify over a fixed mixed corpus of 1,000,000 inputs, beside the
//! `phonenumber` crate doing the same job (parse, then type and region) in the same run.
//!
//! `cargo bench -p telnyx-e164-bench --bench e164`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use telnyx_e164::E164;

const CORPUS: usize = 1_000_000;
/// phonenumber is slow enough that 1 M inputs per iteration would take minutes; it runs over
/// the corpus's first slice and throughput is reported per number, comparable to ours.
const PHONENUMBER_SLICE: usize = 20_000;

/// A deterministic mix: US local, toll-free, premium, Canada, territories, other countries,
/// invalid NANP, garbage; in E.164 form for strict, in human forms for lenient.
fn corpus(human: bool) -> Vec<String> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..CORPUS)
        .map(|_| {
            let r = next();
            let line = 1000 + r % 9000;
            let exchange = 200 + (r >> 16) % 800;
            let npa = match (r >> 32) % 10 {
                0..=4 => [603, 212, 415, 312, 512][((r >> 40) % 5) as usize],
                5 => 800,
                6 => 900,
                7 => 416,
                8 => 787,
                _ => 199,
            };
            match (r >> 48) % 10 {
                0 => format!("+44207946{line:04}"),
                1 => "not a number".to_owned(),
                _ if human => format!("({npa}) {exchange}-{line}"),
                _ => format!("+1{npa}{exchange}{line}"),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let strict = corpus(false);
    let human = corpus(true);
    let mut group = c.benchmark_group("parse+classify");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CORPUS as u64));
    group.bench_function("ours strict (1M)", |b| {
        b.iter(|| {
            let mut local = 0u32;
            for s in &strict {
                if let Ok(n) = E164::check_strict(black_box(s))
                    && n.kind().refusal().is_none()
                {
                    local += 1;
                }
            }
            local
        })
    });
    group.bench_function("ours lenient (1M)", |b| {
        b.iter(|| {
            let mut local = 0u32;
            for s in &human {
                if let Ok(n) = E164::parse_lenient(black_box(s))
                    && n.kind().refusal().is_none()
                {
                    local += 1;
                }
            }
            local
        })
    });
    group.throughput(Throughput::Elements(PHONENUMBER_SLICE as u64));
    group.bench_function("phonenumber strict (20k slice)", |b| {
        b.iter(|| {
            let mut local = 0u32;
            for s in &strict[..PHONENUMBER_SLICE] {
                if let Ok(n) = phonenumber::parse(None, black_box(s)) {
                    let kind = n.number_type(&phonenumber::metadata::DATABASE);
                    if n.code().value() == 1 && us_fixed_or_mobile(&n, kind) {
                        local += 1;
                    }
                }
            }
            local
        })
    });
    group.bench_function("phonenumber lenient (20k slice)", |b| {
        b.iter(|| {
            let mut local = 0u32;
            for s in &human[..PHONENUMBER_SLICE] {
                if let Ok(n) = phonenumber::parse(Some(phonenumber::country::Id::US), black_box(s))
                {
                    let kind = n.number_type(&phonenumber::metadata::DATABASE);
                    if us_fixed_or_mobile(&n, kind) {
                        local += 1;
                    }
                }
            }
            local
        })
    });
    group.finish();
}

/// Whether `phonenumber` takes `n`, of type `kind`, for what our classification calls a US local
/// number: a US fixed-line or mobile number.
fn us_fixed_or_mobile(n: &phonenumber::PhoneNumber, kind: phonenumber::Type) -> bool {
    n.country()
        .id()
        .map(|id| id.as_ref() == "US")
        .unwrap_or(false)
        && matches!(
            kind,
            phonenumber::Type::FixedLineOrMobile
                | phonenumber::Type::FixedLine
                | phonenumber::Type::Mobile
        )
}

criterion_group!(benches, bench);
criterion_main!(benches);
