"""Checks services/survey/stats against numpy/scipy.

Usage: /usr/bin/python3 stats_reference_test.py <path to stats_reference_main>

The binary prints its datasets and its results as JSON; this script
recomputes every statistic from the printed inputs with numpy/scipy, written
independently of the C++ (different algebra where there is a choice), and
requires agreement to 1e-9 relative (1e-12 absolute near zero). Missing values
must agree exactly: a null on one side and a number on the other fails.
"""

import json
import math
import subprocess
import sys
import warnings

import numpy as np
import scipy
import scipy.stats

RTOL = 1e-9
ATOL = 1e-12
Z90 = scipy.stats.norm.ppf(0.95)

failures = []
checked = 0


def close(got, want, what):
    global checked
    checked += 1
    if want is None or got is None:
        if not (want is None and got is None):
            failures.append("%s: got %r, want %r" % (what, got, want))
        return
    want = float(want)
    if not math.isfinite(want):
        failures.append("%s: reference is not finite (%r)" % (what, want))
        return
    if abs(got - want) > ATOL + RTOL * abs(want):
        failures.append("%s: got %.17g, want %.17g" % (what, got, want))


def close_all(got, want, what):
    if len(got) != len(want):
        failures.append("%s: %d values, want %d" % (what, len(got), len(want)))
        return
    for i, (g, w) in enumerate(zip(got, want)):
        close(g, w, "%s[%d]" % (what, i))


def equal(got, want, what):
    global checked
    checked += 1
    if got != want:
        failures.append("%s: got %r, want %r" % (what, got, want))


# ------------------------------------------------------------- reference


def ref_scale_scores(matrix, items, reversed_, points):
    """Mean of the answered, reverse-coded items; None below ceil(k/2)."""
    x = matrix[:, items].copy()
    flags = np.zeros(len(items), dtype=bool)
    flags[: len(reversed_)] = reversed_
    x[:, flags] = points + 1 - x[:, flags]
    answered = np.sum(~np.isnan(x), axis=1)
    need = math.ceil(len(items) / 2)
    out = []
    with warnings.catch_warnings():  # all-missing rows: "Mean of empty slice"
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(x, axis=1)
    for a, m in zip(answered, means):
        out.append(float(m) if a >= need and a > 0 else None)
    return out


def ref_summary(values):
    v = np.asarray(values, dtype=float)
    n = v.size
    if n == 0:
        return 0, 0.0, 0.0
    return n, float(np.mean(v)), float(np.std(v, ddof=1)) if n >= 2 else 0.0


def ref_alpha(x):
    """Cronbach's alpha from numpy variances; None where undefined."""
    n, k = x.shape
    if n < 3 or k < 2:
        return None
    total_var = np.var(x.sum(axis=1), ddof=1)
    if total_var <= 0:
        return None
    return float(k / (k - 1) * (1 - np.var(x, axis=0, ddof=1).sum() / total_var))


def ref_item_total(x, i):
    n, k = x.shape
    if n < 3 or k < 2:
        return None
    item = x[:, i]
    rest = np.delete(x, i, axis=1).sum(axis=1)
    if np.var(item) == 0 or np.var(rest) == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def ref_shrink(n, m, mu, sigma2, tau2):
    """Normal-normal posterior via precisions (not the C++ weight algebra)."""
    if n == 0:
        sd = math.sqrt(tau2)
        return mu, mu - Z90 * sd, mu + Z90 * sd, 0.0
    if tau2 == 0:
        return mu, mu, mu, 0.0
    if sigma2 == 0:
        return m, m, m, 1.0
    precision = 1.0 / tau2 + n / sigma2
    post_var = 1.0 / precision
    post_mean = post_var * (mu / tau2 + n * m / sigma2)
    weight = post_var * n / sigma2
    sd = math.sqrt(post_var)
    return post_mean, post_mean - Z90 * sd, post_mean + Z90 * sd, weight


# ------------------------------------------------------------------ checks


def check_survey(si, survey):
    rows = survey["matrix"]
    matrix = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    group = np.array(survey["group"])
    groups = survey["groups"]
    for ci, sc in enumerate(survey["scales"]):
        tag = "survey%d.scale%d" % (si, ci)
        scores = ref_scale_scores(matrix, sc["items"], sc["reversed"], sc["points"])
        close_all(sc["scores"], scores, tag + ".scores")
        close_all(sc["scores_single"], scores, tag + ".scores_single")
        close_all(sc["scores_all"], scores, tag + ".scores_all")

        present = np.array([s for s in scores if s is not None])
        n, mean, sd = ref_summary(present)
        equal(sc["pool"]["n"], n, tag + ".pool.n")
        close(sc["pool"]["mean"], mean, tag + ".pool.mean")
        close(sc["pool"]["sd"], sd, tag + ".pool.sd")

        per_group = []
        for g in range(groups):
            vals = [s for s, gg in zip(scores, group) if gg == g and s is not None]
            per_group.append(np.array(vals, dtype=float))

        # sigma²: pooled within-group variance from the raw values.
        dfs = [v.size - 1 for v in per_group if v.size >= 2]
        ss = [np.var(v, ddof=1) * (v.size - 1) for v in per_group if v.size >= 2]
        sigma2 = float(np.sum(ss) / np.sum(dfs)) if dfs else 0.0
        close(sc["within_var"], sigma2, tag + ".within_var")

        # tau²: variance of group means minus the mean sampling variance.
        observed = [v for v in per_group if v.size >= 1]
        if len(observed) >= 2:
            means = np.array([v.mean() for v in observed])
            inv_n = np.array([1.0 / v.size for v in observed])
            tau2 = max(0.0, float(np.var(means, ddof=1) - sigma2 * inv_n.mean()))
        else:
            tau2 = 0.0
        close(sc["between_var"], tau2, tag + ".between_var")
        checked_positive = tau2 > 0

        pool_sorted = np.sort(present)
        for g, out in enumerate(sc["groups"]):
            gt = "%s.group%d" % (tag, g)
            gn, gmean, gsd = ref_summary(per_group[g])
            equal(out["summary"]["n"], gn, gt + ".n")
            close(out["summary"]["mean"], gmean, gt + ".mean")
            close(out["summary"]["sd"], gsd, gt + ".sd")
            close(out["std_diff"], (gmean - mean) / sd if sd > 0 else 0.0, gt + ".std_diff")
            # Percentile is a step function: a group mean one ulp either side
            # of a pool value (numpy sums pairwise, C++ left to right) moves it
            # by half a tie. Once the means agree above, ask scipy about the
            # exact value the binary ranked.
            close(out["percentile_of_mean"],
                  scipy.stats.percentileofscore(pool_sorted, out["summary"]["mean"],
                                                kind="mean"),
                  gt + ".percentile_of_mean")
            pm, lo, hi, w = ref_shrink(gn, gmean, mean, sigma2, tau2)
            close(out["shrunk"]["mean"], pm, gt + ".shrunk.mean")
            close(out["shrunk"]["low"], lo, gt + ".shrunk.low")
            close(out["shrunk"]["high"], hi, gt + ".shrunk.high")
            close(out["shrunk"]["weight"], w, gt + ".shrunk.weight")
        pm, lo, hi, _ = ref_shrink(0, 0.0, mean, sigma2, tau2)
        close(sc["empty_group"]["mean"], pm, tag + ".empty_group.mean")
        close(sc["empty_group"]["low"], lo, tag + ".empty_group.low")
        close(sc["empty_group"]["high"], hi, tag + ".empty_group.high")

        want_pct = [None if s is None else
                    scipy.stats.percentileofscore(pool_sorted, s, kind="mean")
                    for s in scores[:40]]
        close_all(sc["person_percentiles"], want_pct, tag + ".person_percentiles")

        # Alpha on complete cases with reverse coding applied.
        x = matrix[:, sc["items"]].copy()
        flags = np.zeros(len(sc["items"]), dtype=bool)
        flags[: len(sc["reversed"])] = sc["reversed"]
        x[:, flags] = sc["points"] + 1 - x[:, flags]
        x = x[~np.isnan(x).any(axis=1)]
        check_alpha(sc["alpha"], x, tag + ".alpha")
        if ci == 0:
            # The generated data must exercise the interesting branches.
            equal(checked_positive, True, tag + ": tau² > 0 in the generated data")


def check_alpha(out, x, tag):
    n, k = x.shape
    equal(out["n"], n, tag + ".n")
    equal(out["k"], k, tag + ".k")
    close(out["alpha"], ref_alpha(x), tag + ".alpha")
    close_all(out["item_total"], [ref_item_total(x, i) for i in range(k)], tag + ".item_total")
    close_all(out["alpha_if_deleted"],
              [ref_alpha(np.delete(x, i, axis=1)) for i in range(k)],
              tag + ".alpha_if_deleted")


def check_paired(i, p):
    tag = "paired%d" % i
    a = np.array(p["from"])
    b = np.array(p["to"])
    d = b - a
    equal(p["n"], len(d), tag + ".n")
    close(p["mean_from"], a.mean(), tag + ".mean_from")
    close(p["mean_to"], b.mean(), tag + ".mean_to")
    close(p["mean_diff"], d.mean(), tag + ".mean_diff")
    sd = np.std(d, ddof=1) if len(d) >= 2 else 0.0
    close(p["dz"], float(d.mean() / sd) if len(d) >= 2 and sd > 0 else None, tag + ".dz")
    if len(d) >= 2 and sd > 0:
        # dz * sqrt(n) is the paired t statistic.
        t = scipy.stats.ttest_rel(b, a).statistic
        close(p["dz"] * math.sqrt(len(d)), float(t), tag + ".dz*sqrt(n) vs ttest_rel")


def check_g2(i, g):
    tag = "g2[%d](a=%g,b=%g,c=%g,d=%g)" % (i, g["a"], g["b"], g["c"], g["d"])
    a, b, c, d = g["a"], g["b"], g["c"], g["d"]
    obs = np.array([a, b], dtype=float)
    exp = np.array([c, d], dtype=float) * (a + b) / (c + d)
    # numpy, with 0 * log 0 = 0 spelled out.
    safe = np.where(obs > 0, obs, 1.0)
    terms = np.where(obs > 0, obs * np.log(safe / np.where(exp > 0, exp, 1.0)), 0.0)
    want = max(0.0, 2.0 * float(terms.sum()))
    close(g["g2"], want, tag)
    # scipy's G-test on the same two cells.
    if a + b > 0:
        stat = scipy.stats.power_divergence(obs, exp, lambda_="log-likelihood").statistic
        close(g["g2"], max(0.0, float(stat)), tag + " vs power_divergence")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    raw = subprocess.run([sys.argv[1]], check=True, stdout=subprocess.PIPE).stdout
    data = json.loads(raw)

    for si, survey in enumerate(data["surveys"]):
        check_survey(si, survey)
    for i, p in enumerate(data["paired"]):
        check_paired(i, p)
    for i, g in enumerate(data["g2"]):
        check_g2(i, g)

    pct = data["percentile"]
    pool = np.array(pct["pool"])
    close_all(pct["percentiles"],
              [scipy.stats.percentileofscore(pool, q, kind="mean") for q in pct["queries"]],
              "percentile")

    worked = data["worked_alpha"]
    x = np.array(worked["rows"], dtype=float)
    check_alpha(worked["result"], x, "worked_alpha")
    # The published value (thinkdeeply.cc, R psych::alpha): 0.674.
    equal(round(worked["result"]["alpha"], 3), 0.674, "worked_alpha published value")

    if failures:
        print("FAIL: %d of %d checks (numpy %s, scipy %s)" %
              (len(failures), checked, np.__version__, scipy.__version__))
        for f in failures[:60]:
            print("  " + f)
        return 1
    print("OK: %d checks agree with numpy %s / scipy %s to %g relative" %
          (checked, np.__version__, scipy.__version__, RTOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
