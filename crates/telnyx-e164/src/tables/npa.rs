// Generated from libphonenumber 9.0.43 metadata (metadata/phonenumbers-9.0.43-data.txt) by tests/it/tables.rs.
// Do not edit by hand. Regenerate: UPDATE_TABLES=1 cargo test -p telnyx-e164 --test it tables::
#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(non_snake_case, dead_code)]

use super::NpaClass;
use crate::classify::Region;

const G: NpaClass = NpaClass::UsGeographic;
const CA: NpaClass = NpaClass::Canada;
const TF: NpaClass = NpaClass::TollFree;
const PR: NpaClass = NpaClass::PremiumRate;
const NG: NpaClass = NpaClass::NonGeographic;
const U: NpaClass = NpaClass::Unassigned;
const fn T(r: &'static str) -> NpaClass { NpaClass::UsTerritory(Region::new(r)) }
const fn O(r: &'static str) -> NpaClass { NpaClass::OtherNanp(Region::new(r)) }

/// Class of NPA 200..=999 (index = NPA - 200): the class of the exchanges in its
/// [`NPA_EXCHANGES`] set; `U` when no exchange of it is valid.
pub static NPA_TABLE: [NpaClass; 800] = [
    /* 200 */ U, G, G, G, CA, G, G, G, G, G,
    /* 210 */ G, U, G, G, G, G, G, G, G, G,
    /* 220 */ G, U, U, G, G, G, CA, G, G, G,
    /* 230 */ U, G, U, U, G, G, CA, U, U, G,
    /* 240 */ G, U, O("BS"), U, U, U, O("BB"), U, G, CA,
    /* 250 */ CA, G, G, G, G, U, G, CA, U, U,
    /* 260 */ G, U, G, CA, O("AI"), U, U, G, O("AG"), G,
    /* 270 */ G, U, G, CA, G, U, G, U, U, G,
    /* 280 */ U, G, U, G, O("VG"), U, U, U, U, CA,
    /* 290 */ U, U, U, U, U, U, U, U, U, U,
    /* 300 */ U, G, G, G, G, G, CA, G, G, G,
    /* 310 */ G, U, G, G, G, G, G, G, G, G,
    /* 320 */ G, G, U, G, G, G, G, G, U, G,
    /* 330 */ G, G, G, U, G, U, G, G, U, G,
    /* 340 */ T("VI"), G, U, CA, U, O("KY"), G, G, U, U,
    /* 350 */ G, G, G, G, CA, U, U, U, U, U,
    /* 360 */ G, G, U, G, G, CA, U, CA, CA, G,
    /* 370 */ U, U, U, U, U, U, U, U, U, U,
    /* 380 */ G, U, CA, U, U, G, G, U, U, U,
    /* 390 */ U, U, U, U, U, U, U, U, U, U,
    /* 400 */ U, G, G, CA, G, G, G, G, G, G,
    /* 410 */ G, U, G, G, G, G, CA, G, CA, G,
    /* 420 */ U, U, U, G, G, G, U, U, CA, U,
    /* 430 */ G, CA, G, U, G, G, U, CA, CA, U,
    /* 440 */ G, O("BM"), G, G, U, G, U, G, G, U,
    /* 450 */ CA, U, U, U, U, U, U, U, G, U,
    /* 460 */ U, U, U, G, G, U, U, U, CA, G,
    /* 470 */ G, U, G, O("GD"), CA, G, U, U, G, G,
    /* 480 */ G, U, U, U, G, U, U, U, U, U,
    /* 490 */ U, U, U, U, U, U, U, U, U, U,
    /* 500 */ NG, G, G, G, G, G, CA, G, G, G,
    /* 510 */ G, U, G, G, CA, G, G, G, G, CA,
    /* 520 */ G, NG, NG, NG, NG, NG, NG, NG, NG, NG,
    /* 530 */ G, G, NG, NG, G, U, U, U, U, G,
    /* 540 */ G, G, U, U, NG, U, U, U, CA, U,
    /* 550 */ U, G, U, U, U, U, U, G, U, G,
    /* 560 */ U, G, G, G, G, U, NG, G, U, U,
    /* 570 */ G, G, G, G, G, G, U, NG, U, CA,
    /* 580 */ G, CA, G, U, CA, G, G, CA, NG, U,
    /* 590 */ U, U, U, U, U, U, U, U, U, U,
    /* 600 */ CA, G, G, G, CA, G, G, G, G, G,
    /* 610 */ G, U, G, CA, G, G, G, G, G, G,
    /* 620 */ G, U, CA, G, U, U, G, U, G, G,
    /* 630 */ G, G, U, CA, U, U, G, U, U, CA,
    /* 640 */ G, G, U, U, U, G, G, CA, U, O("TC"),
    /* 650 */ G, G, U, U, U, U, G, G, O("JM"), G,
    /* 660 */ G, G, G, U, O("MS"), U, U, G, U, G,
    /* 670 */ T("MP"), T("GU"), CA, U, U, U, U, U, G, U,
    /* 680 */ G, G, G, CA, T("AS"), U, G, U, U, G,
    /* 690 */ U, U, U, U, U, U, U, U, U, U,
    /* 700 */ U, G, G, G, G, CA, G, G, G, CA,
    /* 710 */ U, U, G, G, G, G, G, G, G, G,
    /* 720 */ G, O("SX"), U, U, G, G, G, G, G, U,
    /* 730 */ G, G, G, U, G, U, U, G, G, U,
    /* 740 */ G, U, CA, G, U, U, U, G, G, U,
    /* 750 */ U, U, U, CA, G, U, U, G, O("LC"), U,
    /* 760 */ G, U, G, G, U, G, U, O("DM"), U, G,
    /* 770 */ G, G, G, G, G, G, U, U, CA, G,
    /* 780 */ CA, G, CA, U, O("VC"), G, G, T("PR"), U, U,
    /* 790 */ U, U, U, U, U, U, U, U, U, U,
    /* 800 */ TF, G, G, G, G, G, G, CA, G, O("DO"),
    /* 810 */ G, U, G, G, G, G, G, G, G, CA,
    /* 820 */ G, G, U, U, U, CA, G, U, G, O("DO"),
    /* 830 */ G, G, G, TF, U, G, U, U, G, G,
    /* 840 */ G, U, U, G, TF, G, U, G, G, O("DO"),
    /* 850 */ G, U, U, U, G, TF, G, G, G, G,
    /* 860 */ G, U, G, G, G, G, TF, CA, O("TT"), O("KN"),
    /* 870 */ G, U, G, CA, U, U, O("JM"), TF, G, CA,
    /* 880 */ U, U, U, U, U, U, U, U, TF, U,
    /* 890 */ U, U, U, U, U, U, U, U, U, U,
    /* 900 */ PR, G, CA, G, G, CA, G, G, G, G,
    /* 910 */ G, U, G, G, G, G, G, G, G, G,
    /* 920 */ G, U, U, U, U, G, U, U, G, G,
    /* 930 */ G, G, U, U, G, U, G, G, G, T("PR"),
    /* 940 */ G, G, CA, G, U, G, U, G, G, G,
    /* 950 */ U, G, G, U, G, U, G, U, U, G,
    /* 960 */ U, U, U, U, U, U, U, U, U, U,
    /* 970 */ G, G, G, G, U, G, U, U, G, G,
    /* 980 */ G, U, U, G, G, G, G, U, U, G,
    /* 990 */ U, U, U, U, U, U, U, U, U, U,
];

/// Per NPA 200..=999 (index = NPA - 200), the index in [`EXCHANGE_SETS`] of the exchanges
/// that have the NPA's [`NPA_TABLE`] class.
pub static NPA_EXCHANGES: [u8; 800] = [
    /* 200 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 220 */ 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0,
    /* 240 */ 0, 1, 2, 1, 1, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1,
    /* 260 */ 0, 1, 0, 0, 4, 1, 1, 0, 5, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0,
    /* 280 */ 1, 0, 1, 0, 6, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 300 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 320 */ 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0,
    /* 340 */ 7, 0, 1, 0, 1, 8, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
    /* 360 */ 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 380 */ 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 400 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 420 */ 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1,
    /* 440 */ 0, 9, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1,
    /* 460 */ 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 10, 0, 0, 1, 1, 0, 0,
    /* 480 */ 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 500 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 520 */ 0, 0, 0, 11, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0,
    /* 540 */ 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0,
    /* 560 */ 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
    /* 580 */ 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 600 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 620 */ 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0,
    /* 640 */ 0, 0, 1, 1, 1, 0, 0, 0, 1, 13, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0,
    /* 660 */ 0, 0, 0, 1, 14, 1, 1, 0, 1, 0, 15, 16, 0, 1, 1, 1, 1, 1, 0, 1,
    /* 680 */ 0, 0, 0, 0, 17, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 700 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 720 */ 0, 18, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1,
    /* 740 */ 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 19, 1,
    /* 760 */ 0, 1, 0, 0, 1, 0, 1, 20, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0,
    /* 780 */ 0, 0, 0, 1, 21, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 800 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 22, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 820 */ 0, 0, 1, 1, 1, 0, 0, 1, 0, 22, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0,
    /* 840 */ 0, 1, 1, 0, 0, 0, 1, 0, 0, 22, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    /* 860 */ 0, 1, 0, 0, 0, 0, 0, 0, 23, 24, 0, 1, 0, 0, 1, 1, 25, 0, 0, 0,
    /* 880 */ 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 900 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 920 */ 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0,
    /* 940 */ 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0,
    /* 960 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0,
    /* 980 */ 0, 1, 1, 26, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
];

/// Sets of exchanges 000..=999: bit `e % 64` of word `e / 64` is exchange `e`.
pub static EXCHANGE_SETS: [[u64; 16]; 27] = [
    [0x0, 0x0, 0x0, 0xffffffffffffff00, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffff],
    [0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x200000000, 0x500000000000, 0xf3e3feffff7ffbfe, 0xeeffbfe000003f01, 0x400002ffdfe7fb, 0x20f78100a03000, 0x1000b0103e000002, 0x4c01803000000441, 0x400800000, 0xfffff7fe00100000, 0x200000000000007, 0x8, 0x0],
    [0x0, 0x0, 0x0, 0xffbfffd800000000, 0xffc00013ff07ffff, 0xffff00000000, 0xd0ffffffd4000000, 0x80fff, 0x3800043ffffc0100, 0x403ff00000000000, 0x380000000000000, 0x2200030fffff00, 0xfff0000000000000, 0x800000fffffff, 0xc00000, 0x10008],
    [0x0, 0x0, 0x0, 0x80000000000, 0x1000000000, 0x0, 0x0, 0x6000030206000, 0xf000000, 0x1e0, 0x0, 0x2100000, 0x10, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x2400000, 0x130011f000, 0x7000000000000, 0x0, 0x0, 0x1000000157fffe00, 0x3ffdfc, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x20002000000000, 0xf00000000000, 0x100000ff00000, 0x7f00004000000600, 0x9c00000100000, 0x100000ff0000000, 0x900000, 0x0, 0x0, 0x40, 0x2300100000, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x210001c1007ff00, 0x200000, 0x1001000, 0x100000c000000000, 0x20006000000, 0x80000000006, 0x6000000000000, 0x3400200000000c, 0xa0ef00, 0xffc, 0x10000000000000, 0x0, 0x4000000000],
    [0x0, 0x0, 0x0, 0x10030040000000, 0x400, 0x23fe, 0x100001f1f0000000, 0x0, 0x7c0002e030, 0x4000800000000001, 0x201, 0xc0002e8004000000, 0x600c00100000203, 0x100000000030000, 0x3e9f07fcb40000, 0x40010000],
    [0x0, 0x0, 0x0, 0xffffffffffffff00, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x1003fffffffff, 0xffffffffffffe000, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0x3ff003fff, 0x0],
    [0x0, 0x0, 0x0, 0x1c000000000, 0x2000, 0x300, 0x1ff803ffc7fc0004, 0x40002100f82, 0x7e00300, 0x5000000000000000, 0x0, 0x40000000000000, 0x100010000, 0x0, 0x40000000020, 0x0],
    [0x0, 0x0, 0x0, 0xfffffffffff7ff00, 0xff7fffffffffffff, 0xffffffffffffffff, 0xfffffffff7ffffff, 0x7fffffffffffffff, 0xfffff7ffffffffff, 0xfffffff7ffffffff, 0xffffffffffffffff, 0xffffffffffffff7f, 0xfffff7ffffffffff, 0xffffffffffffffff, 0xffffffffffff7fff, 0xffffffffff],
    [0x0, 0x0, 0x0, 0xfffffffffff7ff00, 0xff7fffffffffffff, 0xffffffffffffffff, 0xfffffffff7ffffff, 0x7fffffffffffffff, 0xf7fffffff5ff, 0xfffffff7fe000000, 0xffffffffffffffff, 0xffffffffffffff7f, 0xfffff7ffffffffff, 0xffffffffffffffff, 0xffe000003fff7fff, 0xffffffffff],
    [0x0, 0x0, 0x0, 0x2fe818000000000, 0xfffff00000000400, 0xffffffffffffffff, 0xe0380000000ffff, 0x0, 0x0, 0x0, 0x0, 0x1c0, 0x0, 0x0, 0x7ff00000000000, 0x40],
    [0x0, 0x0, 0x0, 0x0, 0x0, 0x20000000, 0x3c001f80, 0x1f80000000000, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x3e0000000000, 0x1f0000001, 0x10e, 0x2000000000000, 0x11800000000, 0x80000100000, 0x1000, 0x40041000000, 0x0, 0x328000, 0x100401004010040, 0x4, 0x20000000],
    [0x0, 0x0, 0x0, 0xffffffffffffff00, 0x1fffffffffff, 0x440821882000, 0x10000, 0x3fdff800100, 0x3c080000000000, 0x6f00000000001000, 0x3ec40000063f4, 0x800c0c30008, 0x1000000020380200, 0x100401904010040, 0x204000004, 0xf0b80a1a80],
    [0x0, 0x0, 0x0, 0x5100000000000000, 0x150005, 0x0, 0x0, 0x0, 0x0, 0x200400000000000, 0x809002000008010, 0x28000000, 0x4004, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x4000000000000000, 0xb65fc003ff01, 0x187ff0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x40000000000, 0xf0000000, 0x0, 0x400000000001, 0x3f7003ffffc, 0x1c000000000001c0, 0x4000000000000100, 0x0, 0x4000003fffff00, 0x100000000000, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x8020080200000000, 0x3800008020380600, 0x0, 0xe700003000000000, 0x1f0000000000003, 0x0, 0x7f800000000, 0xe000000000000000, 0x7, 0x0, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x0, 0x400, 0xffffc00000000000, 0x4fc00000000007, 0xc007ffff000007fc, 0x1c000800007fc001, 0x4000000000020000, 0x0, 0x10000, 0x10000, 0x0, 0x0, 0x0],
    [0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffff],
    [0x0, 0x0, 0x0, 0xfc07ffffff800200, 0xffffffffffffffff, 0xffffffffffffffff, 0x1fc0000000ffff, 0xffffffffff000, 0x0, 0xfffffff780000000, 0xefffffffffffffff, 0xffffffffffffff7f, 0x1600001ffffffff, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0x102000000000, 0x400000000000, 0x0, 0x0, 0x300007e3000, 0xe0700000000000, 0x0, 0x3ff00000, 0xfd00000000000000, 0x0, 0x0, 0x0, 0x0],
    [0x0, 0x0, 0x0, 0xffffffffbffffe00, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffefffffffffffff, 0xffffffffffffffff, 0xffffffb6aeffffff, 0xdfc011f9ffc10701, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffe37fef, 0xff7fffffff],
    [0x0, 0x0, 0x0, 0xffffffffffffff00, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffff, 0xf000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffff],
];

/// Valid exchanges whose class is not their NPA's: `NPA * 1000 + exchange`, sorted.
pub static EXCHANGE_OVERRIDES: [(u32, NpaClass); 10] = [
    (800140, O("DO")), (800141, O("DO")), (800142, O("DO")), (800143, O("DO")), (800144, O("DO")), (800145, O("DO")), (800146, O("DO")), (800147, O("DO")),
    (800148, O("DO")), (800149, O("DO")),
];

/// Valid ten-digit numbers of the exchanges whose class depends on the line number:
/// (first, last, class) as national numbers, sorted.
pub static LINE_RANGES: [(u64, u64, NpaClass); 5] = [
    (2465210000, 2465211999, O("BB")),
    (2465213000, 2465214999, O("BB")),
    (2465216000, 2465217999, O("BB")),
    (2465219000, 2465220999, O("BB")),
    (8766060000, 8766060999, O("JM")),
];

/// Valid +1 numbers of another national length than ten: (length, first, last, class)
/// as national numbers, sorted.
pub static NANP_OTHER_LENGTHS: [(u8, u64, u64, NpaClass); 1] = [
    (7, 3100000, 3109999, CA),
];
