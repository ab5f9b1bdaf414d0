use super::*;
use proptest::prelude::*;

#[test]
fn the_icao_specimen_parses_with_every_check_digit() {
    let zone = Td3::parse(ICAO_SPECIMEN[0], ICAO_SPECIMEN[1]).expect("the specimen");
    assert_eq!(zone.surname, "ERIKSSON");
    assert_eq!(zone.given_names, "ANNA MARIA");
    assert_eq!(zone.document_number, "L898902C3");
    assert_eq!((zone.birth_date.as_str(), zone.expiry.as_str()), ("740812", "120415"));
    assert_eq!(zone.sex, MrzSex::Female);
    assert_eq!(zone.personal_number, "ZE184226B");
    assert_eq!(zone.lines(), ICAO_SPECIMEN.map(str::to_owned));
}

#[test]
fn check_digits_follow_the_seven_three_one_weights() {
    assert_eq!(check_digit("L898902C3"), b'6');
    assert_eq!(check_digit("740812"), b'2');
    assert_eq!(check_digit("<<<<<<"), b'0');
}

#[test]
fn each_broken_check_is_named() {
    let broken = |at: usize, to: char| {
        let mut second = ICAO_SPECIMEN[1].to_owned();
        second.replace_range(at..=at, &to.to_string());
        Td3::parse(ICAO_SPECIMEN[0], &second)
    };
    assert_eq!(broken(9, '7'), Err(MrzProblem::CheckDigit(CheckedField::DocumentNumber)));
    assert_eq!(broken(14, '5'), Err(MrzProblem::CheckDigit(CheckedField::BirthDate)));
    assert_eq!(broken(22, '3'), Err(MrzProblem::CheckDigit(CheckedField::Expiry)));
    assert_eq!(broken(42, '2'), Err(MrzProblem::CheckDigit(CheckedField::PersonalNumber)));
    assert_eq!(broken(43, '1'), Err(MrzProblem::CheckDigit(CheckedField::Composite)));
    assert_eq!(Td3::parse(ICAO_SPECIMEN[0], &ICAO_SPECIMEN[1][1..]), Err(MrzProblem::Malformed));
    assert_eq!(Td3::parse(&ICAO_SPECIMEN[0].replace("P<", "I<"), ICAO_SPECIMEN[1]), Err(MrzProblem::NotAPassport));
}

#[test]
fn ocr_output_is_repaired_where_the_layout_says_a_digit_stands() {
    let noisy = format!(
        "REPUBLIQUE DE UTOPIA\n{}\n{}\n",
        "P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<", "L898902C3 6UT074O8I22F12O4159ZE184226B<<<<<<1O"
    );
    let zone = Td3::read(&noisy).expect("repaired");
    assert_eq!(zone.lines(), ICAO_SPECIMEN.map(str::to_owned));
    assert_eq!(Td3::read("nothing here\n"), Err(MrzProblem::NotFound));
}

#[test]
fn filler_runs_misread_as_letters_are_put_back() {
    let noisy = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<KKKK<EK<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<K<<10";
    assert_eq!(Td3::read(noisy).expect("repaired").lines(), ICAO_SPECIMEN.map(str::to_owned));
    // An empty personal number read as letters, two fillers short, line 1 cut short.
    let zone =
        Td3 { personal_number: String::new(), ..Td3::parse(ICAO_SPECIMEN[0], ICAO_SPECIMEN[1]).expect("specimen") };
    let [first, second] = zone.lines();
    let noisy = format!("{}\n{}", &first[..37], second.replace("<<<<<<<<<<<<<<<", "<<<<<KKKK<<<<"));
    assert_eq!(Td3::read(&noisy), Ok(zone));
}

#[test]
fn a_look_alike_in_the_document_number_is_swapped_only_to_make_its_check_hold() {
    let second = ICAO_SPECIMEN[1].replacen("L898902C3", "L8989O2C3", 1);
    let zone = Td3::read(&format!("{}\n{second}", ICAO_SPECIMEN[0])).expect("swapped");
    assert_eq!(zone.document_number, "L898902C3");
}

fn arbitrary_zone() -> impl Strategy<Value = Td3> {
    let date = "[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])";
    (
        ("[A-Z]{1,12}", "[A-Z]{1,10}( [A-Z]{1,8})?"),
        ("[A-Z][0-9A-Z]{8}", "[A-Z]{3}", date, date),
        (prop_oneof![Just(MrzSex::Male), Just(MrzSex::Female), Just(MrzSex::Unspecified)], "([A-Z0-9]{1,14})?"),
    )
        .prop_map(
            |((surname, given_names), (document_number, nationality, birth_date, expiry), (sex, personal))| Td3 {
                document_code: "PO".into(),
                issuing_state: "CHN".into(),
                surname,
                given_names,
                document_number,
                nationality,
                birth_date,
                sex,
                expiry,
                personal_number: personal,
            },
        )
}

/// The zone's digit positions on line 2 (dates and check digits).
const DIGITS: [usize; 15] = [9, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27];

proptest! {
    #[test]
    fn every_zone_written_parses_back_to_itself(zone in arbitrary_zone()) {
        let [first, second] = zone.lines();
        prop_assert_eq!(first.len(), LINE_LENGTH);
        prop_assert_eq!(second.len(), LINE_LENGTH);
        prop_assert_eq!(Td3::parse(&first, &second), Ok(zone));
    }

    #[test]
    fn any_digit_misread_as_another_digit_is_caught(zone in arbitrary_zone(), at in 0..DIGITS.len(), by in 1u8..10) {
        let [first, second] = zone.lines();
        let mut bytes = second.into_bytes();
        let position = DIGITS[at];
        bytes[position] = b'0' + (bytes[position] - b'0' + by) % 10;
        prop_assert!(Td3::parse(&first, &String::from_utf8(bytes).expect("ascii")).is_err());
    }

    #[test]
    fn digits_read_as_look_alike_letters_are_repaired(zone in arbitrary_zone(), confuse in proptest::collection::vec(any::<bool>(), 15)) {
        let [first, second] = zone.lines();
        let mut bytes = second.into_bytes();
        for (position, confused) in DIGITS.iter().zip(confuse) {
            if confused {
                bytes[*position] = match bytes[*position] { b'0' => b'O', b'1' => b'I', b'5' => b'S', b'8' => b'B', other => other };
            }
        }
        let noisy = format!("{}\n{}", first.to_lowercase(), String::from_utf8(bytes).expect("ascii"));
        prop_assert_eq!(Td3::read(&noisy), Ok(zone));
    }

    #[test]
    fn reading_anything_never_panics(text in "\\PC{0,200}(\n\\PC{0,60}){0,4}") {
        let _ = Td3::read(&text);
    }
}
