//! Countries and regions by their ISO 3166-1 alpha-2 code, with the names a citizen reads
//! (Simplified and Traditional Chinese, English, French and Dutch): where an applicant lives
//! or is now, and a mission's consular district, are chosen and shown by name, never as bare
//! codes.

use crate::place_name::{PlaceName, place_names};

/// A country or region the platform can name.
pub type Country = PlaceName;

/// The answer "another country or region" to "where do you live / where are you now".
pub const OTHER: &str = "OTHER";

/// Every country of Europe (where the seeded missions are), China with Hong Kong, Macau and
/// Taiwan, and the countries Chinese citizens abroad most often live in; sorted by code.
pub const ALL: &[Country] = place_names![
    ("AD", "安道尔", "安道爾", "Andorra", "Andorre", "Andorra"),
    ("AE", "阿联酋", "阿聯酋", "United Arab Emirates", "Émirats arabes unis", "Verenigde Arabische Emiraten"),
    ("AL", "阿尔巴尼亚", "阿爾巴尼亞", "Albania", "Albanie", "Albanië"),
    ("AR", "阿根廷", "阿根廷", "Argentina", "Argentine", "Argentinië"),
    ("AT", "奥地利", "奧地利", "Austria", "Autriche", "Oostenrijk"),
    ("AU", "澳大利亚", "澳大利亞", "Australia", "Australie", "Australië"),
    ("BA", "波黑", "波黑", "Bosnia and Herzegovina", "Bosnie-Herzégovine", "Bosnië en Herzegovina"),
    ("BE", "比利时", "比利時", "Belgium", "Belgique", "België"),
    ("BG", "保加利亚", "保加利亞", "Bulgaria", "Bulgarie", "Bulgarije"),
    ("BR", "巴西", "巴西", "Brazil", "Brésil", "Brazilië"),
    ("BY", "白俄罗斯", "白俄羅斯", "Belarus", "Biélorussie", "Belarus"),
    ("CA", "加拿大", "加拿大", "Canada", "Canada", "Canada"),
    ("CH", "瑞士", "瑞士", "Switzerland", "Suisse", "Zwitserland"),
    ("CN", "中国", "中國", "China", "Chine", "China"),
    ("CY", "塞浦路斯", "塞浦路斯", "Cyprus", "Chypre", "Cyprus"),
    ("CZ", "捷克", "捷克", "Czechia", "Tchéquie", "Tsjechië"),
    ("DE", "德国", "德國", "Germany", "Allemagne", "Duitsland"),
    ("DK", "丹麦", "丹麥", "Denmark", "Danemark", "Denemarken"),
    ("EE", "爱沙尼亚", "愛沙尼亞", "Estonia", "Estonie", "Estland"),
    ("EG", "埃及", "埃及", "Egypt", "Égypte", "Egypte"),
    ("ES", "西班牙", "西班牙", "Spain", "Espagne", "Spanje"),
    ("FI", "芬兰", "芬蘭", "Finland", "Finlande", "Finland"),
    ("FR", "法国", "法國", "France", "France", "Frankrijk"),
    ("GB", "英国", "英國", "United Kingdom", "Royaume-Uni", "Verenigd Koninkrijk"),
    ("GR", "希腊", "希臘", "Greece", "Grèce", "Griekenland"),
    ("HK", "中国香港", "中國香港", "Hong Kong, China", "Hong Kong (Chine)", "Hongkong (China)"),
    ("HR", "克罗地亚", "克羅地亞", "Croatia", "Croatie", "Kroatië"),
    ("HU", "匈牙利", "匈牙利", "Hungary", "Hongrie", "Hongarije"),
    ("ID", "印度尼西亚", "印度尼西亞", "Indonesia", "Indonésie", "Indonesië"),
    ("IE", "爱尔兰", "愛爾蘭", "Ireland", "Irlande", "Ierland"),
    ("IL", "以色列", "以色列", "Israel", "Israël", "Israël"),
    ("IN", "印度", "印度", "India", "Inde", "India"),
    ("IS", "冰岛", "冰島", "Iceland", "Islande", "IJsland"),
    ("IT", "意大利", "意大利", "Italy", "Italie", "Italië"),
    ("JP", "日本", "日本", "Japan", "Japon", "Japan"),
    ("KR", "韩国", "韓國", "Republic of Korea", "République de Corée", "Republiek Korea"),
    ("KZ", "哈萨克斯坦", "哈薩克斯坦", "Kazakhstan", "Kazakhstan", "Kazachstan"),
    ("LI", "列支敦士登", "列支敦士登", "Liechtenstein", "Liechtenstein", "Liechtenstein"),
    ("LT", "立陶宛", "立陶宛", "Lithuania", "Lituanie", "Litouwen"),
    ("LU", "卢森堡", "盧森堡", "Luxembourg", "Luxembourg", "Luxemburg"),
    ("LV", "拉脱维亚", "拉脫維亞", "Latvia", "Lettonie", "Letland"),
    ("MA", "摩洛哥", "摩洛哥", "Morocco", "Maroc", "Marokko"),
    ("MC", "摩纳哥", "摩納哥", "Monaco", "Monaco", "Monaco"),
    ("MD", "摩尔多瓦", "摩爾多瓦", "Moldova", "Moldavie", "Moldavië"),
    ("ME", "黑山", "黑山", "Montenegro", "Monténégro", "Montenegro"),
    ("MK", "北马其顿", "北馬其頓", "North Macedonia", "Macédoine du Nord", "Noord-Macedonië"),
    ("MO", "中国澳门", "中國澳門", "Macao, China", "Macao (Chine)", "Macau (China)"),
    ("MT", "马耳他", "馬耳他", "Malta", "Malte", "Malta"),
    ("MX", "墨西哥", "墨西哥", "Mexico", "Mexique", "Mexico"),
    ("MY", "马来西亚", "馬來西亞", "Malaysia", "Malaisie", "Maleisië"),
    ("NL", "荷兰", "荷蘭", "Netherlands", "Pays-Bas", "Nederland"),
    ("NO", "挪威", "挪威", "Norway", "Norvège", "Noorwegen"),
    ("NZ", "新西兰", "新西蘭", "New Zealand", "Nouvelle-Zélande", "Nieuw-Zeeland"),
    ("PH", "菲律宾", "菲律賓", "Philippines", "Philippines", "Filipijnen"),
    ("PL", "波兰", "波蘭", "Poland", "Pologne", "Polen"),
    ("PT", "葡萄牙", "葡萄牙", "Portugal", "Portugal", "Portugal"),
    ("RO", "罗马尼亚", "羅馬尼亞", "Romania", "Roumanie", "Roemenië"),
    ("RS", "塞尔维亚", "塞爾維亞", "Serbia", "Serbie", "Servië"),
    ("RU", "俄罗斯", "俄羅斯", "Russia", "Russie", "Rusland"),
    ("SA", "沙特阿拉伯", "沙特阿拉伯", "Saudi Arabia", "Arabie saoudite", "Saoedi-Arabië"),
    ("SE", "瑞典", "瑞典", "Sweden", "Suède", "Zweden"),
    ("SG", "新加坡", "新加坡", "Singapore", "Singapour", "Singapore"),
    ("SI", "斯洛文尼亚", "斯洛文尼亞", "Slovenia", "Slovénie", "Slovenië"),
    ("SK", "斯洛伐克", "斯洛伐克", "Slovakia", "Slovaquie", "Slowakije"),
    ("SM", "圣马力诺", "聖馬力諾", "San Marino", "Saint-Marin", "San Marino"),
    ("TH", "泰国", "泰國", "Thailand", "Thaïlande", "Thailand"),
    ("TR", "土耳其", "土耳其", "Türkiye", "Turquie", "Turkije"),
    ("TW", "中国台湾", "中國台灣", "Taiwan, China", "Taïwan (Chine)", "Taiwan (China)"),
    ("UA", "乌克兰", "烏克蘭", "Ukraine", "Ukraine", "Oekraïne"),
    ("US", "美国", "美國", "United States", "États-Unis", "Verenigde Staten"),
    ("VA", "梵蒂冈", "梵蒂岡", "Vatican City", "Vatican", "Vaticaanstad"),
    ("VN", "越南", "越南", "Viet Nam", "Viêt Nam", "Vietnam"),
    ("ZA", "南非", "南非", "South Africa", "Afrique du Sud", "Zuid-Afrika"),
];

/// The country with `code` (any case).
pub fn find(code: &str) -> Option<&'static Country> {
    crate::place_name::find(ALL, code)
}

/// A country answer normalised: a known code upper-cased, or [`OTHER`]; `None` otherwise.
pub fn parse_answer(answer: &str) -> Option<&'static str> {
    let answer = answer.trim();
    if answer.eq_ignore_ascii_case(OTHER) { Some(OTHER) } else { find(answer).map(|c| c.code) }
}

/// The name of `code` in `locale`, or the code itself when it names no known country.
pub fn name_of(code: &str, locale: &str) -> String {
    crate::place_name::name_of(ALL, code, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_unique_two_letter_codes() {
        assert!(ALL.windows(2).all(|w| w[0].code < w[1].code), "sorted, no duplicates");
        assert!(ALL.iter().all(|c| c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn answers_are_known_codes_or_other() {
        assert_eq!(parse_answer(" be "), Some("BE"));
        assert_eq!(parse_answer("other"), Some(OTHER));
        assert_eq!(parse_answer("XX"), None);
        assert_eq!(parse_answer(""), None);
        assert_eq!(name_of("BE", "zh-CN"), "比利时");
        assert_eq!(name_of("BE", "en"), "Belgium");
        assert_eq!(name_of("XX", "en"), "XX");
    }
}
