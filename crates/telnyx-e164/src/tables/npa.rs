// Generated from phonenumber 0.3.10+9.0.33 (libphonenumber metadata 9.0.33) by tests/tables.rs; do not edit by hand.
// Regenerate: UPDATE_TABLES=1 cargo test -p telnyx-e164 --test tables
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

/// Classes of NPA 200..=999, index = NPA - 200.
pub static NPA_TABLE: [NpaClass; 800] = [
    /* 200 */ U, G, G, G, CA, G, G, G, G, G,
    /* 210 */ G, U, G, G, G, G, G, G, G, G,
    /* 220 */ G, U, U, G, G, G, CA, G, G, G,
    /* 230 */ U, G, U, U, G, G, CA, U, U, G,
    /* 240 */ G, U, O("BS"), U, U, U, O("BB"), U, G, CA,
    /* 250 */ CA, G, G, G, G, U, G, CA, U, U,
    /* 260 */ G, U, G, CA, O("AI"), U, U, G, O("AG"), G,
    /* 270 */ G, U, G, U, G, U, G, U, U, G,
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
    /* 600 */ U, G, G, G, CA, G, G, G, G, G,
    /* 610 */ G, U, G, CA, G, G, G, G, G, G,
    /* 620 */ G, U, U, G, U, U, G, U, G, G,
    /* 630 */ G, G, U, U, U, U, G, U, U, CA,
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
