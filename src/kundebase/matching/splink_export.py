"""The trained model as a Splink settings dictionary, for deployments that outgrow one machine.

The comparisons read the prepared columns (``fields.FEATURES``: ``given_key``,
``given_plain`` …), so the data is prepared once in Python (``fields.prepare``,
embarrassingly parallel) and written to Parquet; Splink then runs the same
levels as SQL on any of its backends (Spark, Athena, DuckDB) with our m and u
values fixed.  See docs/matching.md, "Running on Spark".
"""

from __future__ import annotations

from typing import Any

from kundebase.matching import blocking
from kundebase.matching.model import M_FLOOR, U_FLOOR, Params

_LEVELS: dict[str, list[str]] = {
    # strongest first (Splink order); the last level (ELSE) is our level 0
    "given_name": ["given_key_l = given_key_r", "given_nick_l = given_nick_r",
                   "jaro_winkler_similarity(given_plain_l, given_plain_r) >= 0.92",
                   "jaro_winkler_similarity(given_plain_l, given_plain_r) >= 0.8"],
    "family_name": ["family_key_l = family_key_r", "jaro_winkler_similarity(family_plain_l, family_plain_r) >= 0.92",
                    "jaro_winkler_similarity(family_plain_l, family_plain_r) >= 0.8"],
    "birth_date": ["birth_date_l = birth_date_r",
                   "damerau_levenshtein(birth_date_l, birth_date_r) <= 1 OR (substr(birth_date_l, 1, 4) = "
                   "substr(birth_date_r, 1, 4) AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) AND "
                   "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2))",
                   "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) OR "
                   "damerau_levenshtein(birth_date_l, birth_date_r) <= 2"],
    "street": ["street_key_l = street_key_r",
               "house_l = house_r AND house_l <> '' AND jaro_winkler_similarity(street_name_l, street_name_r) >= 0.88",
               "jaro_winkler_similarity(street_name_l, street_name_r) >= 0.88"],
    "place": ["postcode_l = postcode_r AND postcode_l <> '' AND (city_l = city_r OR city_l = '' OR city_r = '')",
              "(postcode_l = postcode_r AND postcode_l <> '') OR (postcode_l <> '' AND postcode_r <> '' AND "
              "damerau_levenshtein(postcode_l, postcode_r) <= 1 AND city_l <> '' AND city_r <> '' AND "
              "jaro_winkler_similarity(city_l, city_r) >= 0.88)",
              "city_l <> '' AND city_r <> '' AND (city_l = city_r OR jaro_winkler_similarity(city_l, city_r) >= 0.88)"],
    "phone": ["phone_l = phone_r", "right(phone_l, 6) = right(phone_r, 6)"],
    "email": ["email_l = email_r", "email_user_l = email_user_r AND email_user_l <> ''"],
    "national_id": ["national_id_l = national_id_r", "damerau_levenshtein(national_id_l, national_id_r) <= 1"],
    "company_name": ["company_key_l = company_key_r",
                     "jaro_winkler_similarity(company_key_l, company_key_r) >= 0.93"],
    "org_number": ["org_number_l = org_number_r"],
    "website": ["website_l = website_r"],
}
_NULL_COLUMN = {"given_name": "given_plain", "family_name": "family_plain", "street": "street_key",
                "company_name": "company_key"}


def _rule_sql(rule: tuple[str, ...]) -> str | None:
    if any(f in ("name_pair", "company_first") for f in rule):
        if rule == ("name_pair",):
            return ("(l.given_key = r.given_key AND l.family_key = r.family_key) OR "
                    "(l.given_key = r.family_key AND l.family_key = r.given_key)")
        return None
    return " AND ".join(f"l.{f} = r.{f} AND l.{f} <> ''" for f in rule)


def settings(params: Params, *, link_type: str = "dedupe_only", unique_id: str = "unique_id") -> dict[str, Any]:
    """A Splink settings dict with our levels and our trained m/u (so no training is needed there)."""
    comparisons = []
    for name, m, u in zip(params.comparisons, params.m, params.u, strict=True):
        conditions = _LEVELS.get(name)
        if conditions is None:
            continue
        column = _NULL_COLUMN.get(name, name)
        null = f"{column}_l = '' OR {column}_r = ''"
        if name == "place":
            null = "(postcode_l = '' OR postcode_r = '') AND (city_l = '' OR city_r = '')"
        levels: list[dict[str, Any]] = [{"sql_condition": null,
                                         "label_for_charts": "null", "is_null_level": True}]
        # our levels run 0 (disagree) … top; Splink lists top first and ends with ELSE
        tops = list(range(len(m) - 1, 0, -1))
        tf = params.tf.get(name)
        for condition, level in zip(conditions, tops, strict=False):
            levels.append({"sql_condition": condition, "label_for_charts": f"level {level}",
                           "m_probability": max(m[level], M_FLOOR), "u_probability": max(u[level], U_FLOOR)})
            if tf and int(tf["level"]) == level:  # Splink computes the same frequencies from the data
                # with the level's own u, as ours: the user-name level is no plain equality Splink would detect
                levels[-1].update(tf_adjustment_column=tf["feature"], tf_adjustment_weight=1.0,
                                  disable_tf_exact_match_detection=True)
        levels.append({"sql_condition": "ELSE", "label_for_charts": "level 0", "m_probability": max(m[0], M_FLOOR),
                       "u_probability": max(u[0], U_FLOOR)})
        comparisons.append({"output_column_name": name, "comparison_levels": levels})
    rules = [sql for rule in blocking.RULES[params.kind] if (sql := _rule_sql(rule))]
    return {"link_type": link_type, "unique_id_column_name": unique_id,
            "probability_two_random_records_match": params.prior,
            "blocking_rules_to_generate_predictions": rules, "comparisons": comparisons,
            "retain_intermediate_calculation_columns": False}
