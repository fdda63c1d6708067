"""Factor grid: identification separated from weighting."""

import numpy as np
import pytest

from scoring import factor_agreement, factor_feedback


def grid(risk=None, protective=None):
    return {"risk": risk or {}, "protective": protective or {}}


def R(s, e):
    return {"severity": s, "extent": e}


def P(e, f):
    return {"extent": e, "function": f}


GROUP = [
    grid({"missbruk": R(2, 2), "skola": R(2, 2)}, {"foraldrar": P(3, 3)}),
    grid({"missbruk": R(2, 2), "skola": R(2, 1), "ekonomi": R(2, 2)}, {"foraldrar": P(3, 2)}),
    grid({"missbruk": R(3, 2), "skola": R(2, 2)}, {"foraldrar": P(3, 3)}),
]


def test_same_factors_different_weight():
    trainee = grid({"missbruk": R(4, 3), "skola": R(4, 3)}, {"foraldrar": P(1, 1)})
    fb = factor_feedback(trainee, GROUP)
    g = fb.vs_group
    assert g.identification["risk"].shared == ("missbruk", "skola")
    assert g.identification["risk"].missed == () and g.identification["risk"].f1 == 1.0
    assert g.identification["all"].f1 == 1.0
    assert g.verdict == "same_factors_different_weight"
    # group medians: missbruk severity 2, extent 2 -> diffs +2, +1
    w = g.weighting.set_index(["kind", "factor", "dimension"])
    assert w.loc[("risk", "missbruk", "severity"), "diff"] == 2
    assert w.loc[("risk", "missbruk", "severity"), "n_reference"] == 3
    assert w.loc[("protective", "foraldrar", "function"), "reference"] == 3
    assert g.weight_bias["risk.severity"].value == pytest.approx(2.0)
    assert g.weight_bias["protective.function"].value == pytest.approx(-2.0)
    assert g.weight_gap.value > 1
    assert fb.vs_key is None


def test_agree():
    trainee = grid({"missbruk": R(2, 2), "skola": R(2, 2)}, {"foraldrar": P(3, 3)})
    assert factor_feedback(trainee, GROUP).vs_group.verdict == "agree"


def test_different_factors():
    trainee = grid({"ekonomi": R(2, 2), "boende": R(2, 2)}, {"natverk": P(2, 2)})
    g = factor_feedback(trainee, GROUP).vs_group
    assert g.verdict == "different_factors"
    assert set(g.identification["risk"].missed) == {"missbruk", "skola"}
    assert g.identification["risk"].extra == ("boende", "ekonomi")  # ekonomi: 1 of 3 < half
    # ekonomi still gets its weighting compared (one colleague named it)
    assert set(g.weighting.factor) == {"ekonomi"}


def test_different_factors_and_weight_vs_key():
    key = grid({"missbruk": R(4, 3), "psykisk_ohalsa": R(3, 3)}, {})
    trainee = grid({"missbruk": R(2, 1), "skola": R(2, 2), "ekonomi": R(2, 2)}, {"foraldrar": P(3, 3)})
    k = factor_feedback(trainee, key=key).vs_key
    assert k.reference == "key"
    assert k.identification["risk"].missed == ("psykisk_ohalsa",)
    assert k.identification["all"].f1 < 0.6
    assert k.verdict == "different_factors_and_weight"


def test_own_factors_count_only_when_shared():
    trainee = grid({"missbruk": R(2, 2), "skola": R(2, 2), "own:kompisar": R(3, 3)}, {"foraldrar": P(3, 3)})
    g = factor_feedback(trainee, GROUP).vs_group
    assert g.identification["risk"].unmatched_own == ("own:kompisar",)
    assert g.identification["risk"].extra == ()
    assert g.identification["all"].unmatched_own == ("risk/own:kompisar",)
    assert g.verdict == "agree"
    shared_group = GROUP + [grid({"missbruk": R(2, 2), "own:kompisar": R(2, 2)}, {}), grid({"own:kompisar": R(2, 3)}, {})]
    g2 = factor_feedback(trainee, shared_group).vs_group
    assert g2.identification["risk"].unmatched_own == ()
    assert "own:kompisar" in g2.identification["risk"].extra  # 2 of 5 colleagues < half
    w = g2.weighting.set_index(["factor", "dimension"])
    assert w.loc[("own:kompisar", "severity"), "reference"] == 2.0
    assert w.loc[("own:kompisar", "extent"), "reference"] == 2.5


def test_missing_dimension_and_empty_grids():
    trainee = grid({"missbruk": {"severity": 3, "extent": None}}, {})
    g = factor_feedback(trainee, GROUP).vs_group
    assert g.weight_bias["risk.severity"].n == 1
    assert np.isnan(g.weight_bias["protective.function"].value) and g.weight_bias["protective.function"].reason
    empty = factor_feedback(grid(), [grid()], key=grid())
    assert empty.vs_group.identification["all"].f1 == 1.0
    assert np.isnan(empty.vs_group.weight_gap.value)
    assert empty.vs_group.verdict == "agree" and empty.vs_key.verdict == "agree"


def test_validation():
    with pytest.raises(ValueError):
        factor_feedback(grid({"missbruk": R(5, 2)}), GROUP)
    with pytest.raises(ValueError):
        factor_feedback(grid({"missbruk": {"function": 2}}), GROUP)
    with pytest.raises(ValueError):
        factor_feedback({"risks": {}}, GROUP)


def test_group_agreement_same_factors_different_weight():
    """Everyone names the same three factors but weighs them all over the scale."""
    rng = np.random.default_rng(4)
    grids = []
    for _ in range(8):
        grids.append(
            grid(
                {f: R(int(rng.integers(1, 5)), int(rng.integers(1, 4))) for f in ("missbruk", "skola", "ekonomi")},
                {f: P(int(rng.integers(1, 4)), int(rng.integers(1, 4))) for f in ("foraldrar", "fritid")},
            )
        )
    grids[0]["risk"]["kriminalitet"] = R(3, 3)  # one factor named by one rater
    a = factor_agreement(grids)
    assert a.n_raters == 8
    assert a.identification_alpha.value > 0.667
    assert min(s.value for s in a.weighting_alpha.values() if s.defined) < 0.667
    assert a.pattern == "same_factors_different_weight"
    pf = a.per_factor.set_index("factor")
    assert pf.loc["missbruk", "share_named"] == 1.0 and pf.loc["kriminalitet", "n_named"] == 1


def test_group_agreement_agree_and_undefined():
    same = [grid({"missbruk": R(3, 2), "skola": R(2, 2)}, {"foraldrar": P(2, 2), "fritid": P(3, 3)})] * 4
    # identification has no variation (everyone names everything)
    a = factor_agreement(same)
    assert np.isnan(a.identification_alpha.value) and "no variation" in a.identification_alpha.reason
    assert a.pattern == "undefined"
    one = factor_agreement(same[:1])
    assert "fewer than two raters" in one.identification_alpha.reason
    assert a.per_factor.set_index("factor").loc["missbruk", "severity_consensus"] == 1.0
