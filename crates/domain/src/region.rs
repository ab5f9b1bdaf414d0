//! China's provincial-level divisions (省、自治区、直辖市) by their six-digit administrative
//! code (GB/T 2260), with the names a pensioner reads: a pension is paid by the
//! human-resources and social-security department of one of them (养老金发放地区).

use crate::place_name::{PlaceName, place_names};

/// A provincial-level division.
pub type Region = PlaceName;

/// The 31 provincial-level divisions of the mainland, in code order.
pub const ALL: &[Region] = place_names![
    ("110000", "北京市", "北京市", "Beijing", "Pékin", "Peking"),
    ("120000", "天津市", "天津市", "Tianjin", "Tianjin", "Tianjin"),
    ("130000", "河北省", "河北省", "Hebei", "Hebei", "Hebei"),
    ("140000", "山西省", "山西省", "Shanxi", "Shanxi", "Shanxi"),
    ("150000", "内蒙古自治区", "內蒙古自治區", "Inner Mongolia", "Mongolie-Intérieure", "Binnen-Mongolië"),
    ("210000", "辽宁省", "遼寧省", "Liaoning", "Liaoning", "Liaoning"),
    ("220000", "吉林省", "吉林省", "Jilin", "Jilin", "Jilin"),
    ("230000", "黑龙江省", "黑龍江省", "Heilongjiang", "Heilongjiang", "Heilongjiang"),
    ("310000", "上海市", "上海市", "Shanghai", "Shanghai", "Shanghai"),
    ("320000", "江苏省", "江蘇省", "Jiangsu", "Jiangsu", "Jiangsu"),
    ("330000", "浙江省", "浙江省", "Zhejiang", "Zhejiang", "Zhejiang"),
    ("340000", "安徽省", "安徽省", "Anhui", "Anhui", "Anhui"),
    ("350000", "福建省", "福建省", "Fujian", "Fujian", "Fujian"),
    ("360000", "江西省", "江西省", "Jiangxi", "Jiangxi", "Jiangxi"),
    ("370000", "山东省", "山東省", "Shandong", "Shandong", "Shandong"),
    ("410000", "河南省", "河南省", "Henan", "Henan", "Henan"),
    ("420000", "湖北省", "湖北省", "Hubei", "Hubei", "Hubei"),
    ("430000", "湖南省", "湖南省", "Hunan", "Hunan", "Hunan"),
    ("440000", "广东省", "廣東省", "Guangdong", "Guangdong", "Guangdong"),
    ("450000", "广西壮族自治区", "廣西壯族自治區", "Guangxi", "Guangxi", "Guangxi"),
    ("460000", "海南省", "海南省", "Hainan", "Hainan", "Hainan"),
    ("500000", "重庆市", "重慶市", "Chongqing", "Chongqing", "Chongqing"),
    ("510000", "四川省", "四川省", "Sichuan", "Sichuan", "Sichuan"),
    ("520000", "贵州省", "貴州省", "Guizhou", "Guizhou", "Guizhou"),
    ("530000", "云南省", "雲南省", "Yunnan", "Yunnan", "Yunnan"),
    ("540000", "西藏自治区", "西藏自治區", "Tibet", "Tibet", "Tibet"),
    ("610000", "陕西省", "陝西省", "Shaanxi", "Shaanxi", "Shaanxi"),
    ("620000", "甘肃省", "甘肅省", "Gansu", "Gansu", "Gansu"),
    ("630000", "青海省", "青海省", "Qinghai", "Qinghai", "Qinghai"),
    ("640000", "宁夏回族自治区", "寧夏回族自治區", "Ningxia", "Ningxia", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "新疆維吾爾自治區", "Xinjiang", "Xinjiang", "Xinjiang"),
];

/// The name of `code` in `locale`, or the code itself for a division not in the table
/// (a prefecture-level department configured by its own code).
pub fn name_of(code: &str, locale: &str) -> String {
    crate::place_name::name_of(ALL, code, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_ending_in_zeros_and_unique() {
        assert_eq!(ALL.len(), 31);
        assert!(ALL.windows(2).all(|w| w[0].code < w[1].code));
        assert!(ALL.iter().all(|r| r.code.len() == 6 && r.code.ends_with("0000") && r.code.parse::<u32>().is_ok()));
        assert_eq!(name_of("440000", "zh-CN"), "广东省");
        assert_eq!(name_of("440300", "en"), "440300");
    }
}
