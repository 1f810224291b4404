//! Supervision's published formats: the decision a department signs is pinned to the worked
//! example in `docs/supervision.md`, byte for byte.

use app::{DecisionToSign, PenaltyInput};

#[test]
fn the_decision_to_sign_is_the_documented_canonical_json() {
    let decision = DecisionToSign {
        case: "C2026000001".into(),
        department: "zj-finance".into(),
        kind: "award_void".into(),
        reasons: "经查，第一中标候选人提交的业绩合同与发包人存档不符。".into(),
        basis: "招标投标法 第54条；招标投标法实施条例 第81条".into(),
        penalties: Vec::new(),
    };
    let text = crypto::canonical_json(&serde_json::to_value(&decision).unwrap()).unwrap();
    assert_eq!(
        text,
        "{\"basis\":\"招标投标法 第54条；招标投标法实施条例 第81条\",\"case\":\"C2026000001\",\"department\":\"zj-finance\",\"kind\":\"award_void\",\"penalties\":[],\"reasons\":\"经查，第一中标候选人提交的业绩合同与发包人存档不符。\"}"
    );
    assert_eq!(
        crypto::sm3(text.as_bytes()).to_hex(),
        "e6ac8fd0c6fd5dd52f34cf5dc282fbf7ee8b45403209c87cb03abb7262c1ea23"
    );
    let with_penalty = DecisionToSign {
        penalties: vec![(
            "E91330100MA2AGH4R0X".into(),
            PenaltyInput::SuspendQualification { months: 6 },
        )],
        ..decision
    };
    let text = crypto::canonical_json(&serde_json::to_value(&with_penalty).unwrap()).unwrap();
    assert!(
        text.contains(
            "\"penalties\":[[\"E91330100MA2AGH4R0X\",{\"kind\":\"suspend_qualification\",\"months\":6}]]"
        ),
        "{text}"
    );
}
