//! Chinese numerals for dates (GB/T 9704: 二〇二六年十一月二十八日) and
//! amounts in capitals (人民币大写: 壹万伍仟元整).

use chrono::Datelike;

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

fn small(n: u32) -> String {
    // 1..=31
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        _ if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
        _ => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            DIGITS[(n % 10) as usize]
        ),
    }
}

/// `2026-11-28` → `二〇二六年十一月二十八日`.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    let year: String = d
        .year()
        .to_string()
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |v| DIGITS[v as usize]))
        .collect();
    format!("{year}年{}月{}日", small(d.month()), small(d.day()))
}

const CAP: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// An amount in fen (1/100 yuan) in Chinese capitals, e.g. 1_500_000 → `壹万伍仟元整`.
pub fn rmb_upper(fen: u64) -> String {
    let yuan = fen / 100;
    let jiao = (fen / 10) % 10;
    let f = fen % 10;
    let mut out = String::new();
    if yuan > 0 {
        let groups = ["", "万", "亿", "万亿"];
        let units = ["", "拾", "佰", "仟"];
        let mut parts: Vec<u64> = Vec::new();
        let mut y = yuan;
        while y > 0 {
            parts.push(y % 10_000);
            y /= 10_000;
        }
        let mut need_zero = false;
        for (gi, &g) in parts.iter().enumerate().rev() {
            if g == 0 {
                need_zero = !out.is_empty();
                continue;
            }
            if need_zero || (!out.is_empty() && g < 1000) {
                out.push('零');
            }
            need_zero = false;
            let mut zero = false;
            for pos in (0..4).rev() {
                let dgt = (g / 10u64.pow(pos)) % 10;
                if dgt == 0 {
                    zero = true;
                } else {
                    let started = g / 10u64.pow(pos + 1) > 0;
                    if zero && started {
                        out.push('零');
                    }
                    zero = false;
                    out.push(CAP[dgt as usize]);
                    out.push_str(units[pos as usize]);
                }
            }
            out.push_str(groups[gi.min(3)]);
        }
        out.push('元');
    }
    if jiao == 0 && f == 0 {
        if out.is_empty() {
            out.push_str("零元");
        }
        out.push('整');
    } else {
        if jiao > 0 {
            out.push(CAP[jiao as usize]);
            out.push('角');
        } else if !out.is_empty() {
            out.push('零');
        }
        if f > 0 {
            out.push(CAP[f as usize]);
            out.push('分');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(chinese_date(d(2026, 11, 28)), "二〇二六年十一月二十八日");
        assert_eq!(chinese_date(d(2026, 1, 10)), "二〇二六年一月十日");
        assert_eq!(chinese_date(d(2030, 10, 30)), "二〇三〇年十月三十日");
        assert_eq!(chinese_date(d(2026, 12, 5)), "二〇二六年十二月五日");
    }

    #[test]
    fn amounts() {
        assert_eq!(rmb_upper(1_500_000), "壹万伍仟元整");
        assert_eq!(rmb_upper(2_000_000), "贰万元整");
        assert_eq!(rmb_upper(10_050_000), "壹拾万零伍佰元整");
        assert_eq!(rmb_upper(100_000), "壹仟元整");
        assert_eq!(rmb_upper(1_005_000), "壹万零伍拾元整");
        assert_eq!(rmb_upper(12_345), "壹佰贰拾叁元肆角伍分");
        assert_eq!(rmb_upper(100_005), "壹仟元零伍分");
        assert_eq!(rmb_upper(0), "零元整");
    }
}
