"""Two-sample drift statistics against a reference summarised once, equal to SciPy's results.

Why not call SciPy directly: `ks_2samp` and `wasserstein_distance` sort the concatenation of
both samples on every call, so a 100k-row batch against a 1M-row training set re-sorts 1.1M
values per column per batch. Here the reference is kept as its distinct sorted values with
their counts (`SortedReference`, built once and stored with the model version), and each
statistic is evaluated at the batch's points only, with binary searches into the reference:
O(batch · log reference) instead of O((reference + batch) · log(reference + batch)).

    ref = SortedReference.from_values(training_column)     # once per model version
    batch = np.sort(new_values[np.isfinite(new_values)])
    d, p = ks_test(ref, batch)                # == scipy.stats.ks_2samp(training, new)[:2]
    w = wasserstein(ref, batch)               # == scipy.stats.wasserstein_distance(training, new)
    psi(ref_shares, batch_shares)             # Population Stability Index
    chi_squared(ref_counts, batch_counts)     # scipy.stats.chi2_contingency on the 2 × k table
    jensen_shannon(ref_counts, batch_counts)  # scipy.spatial.distance.jensenshannon, natural log

Everything here is plain numpy/scipy on arrays: no pandas, no project. tests/core/monitor
checks each function against SciPy on the same arrays to 1e-9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# scipy.stats.ks_2samp(method="auto") is exact when both samples have at most this many values.
KS_EXACT_MAX_N = 10_000
# A share of 0 in a PSI bin is taken as this, so that the logarithm stays finite.
PSI_EPSILON = 1e-4


@dataclass(frozen=True)
class SortedReference:
    """A reference sample as distinct ascending values and how often each occurs.

    `cum[i]` counts the values ≤ `values[i-1]` (cum[0] = 0), so the number of reference values
    ≤ x is `cum[searchsorted(values, x, "right")]`. `integral[i]` is ∫ F(t) dt from the
    smallest value to `values[i]`, F being the reference's empirical distribution function;
    it turns the Wasserstein integral into lookups.
    """

    values: np.ndarray   # float64, distinct, ascending, finite
    counts: np.ndarray   # int64, > 0
    cum: np.ndarray      # int64, len(values) + 1
    integral: np.ndarray  # float64, len(values)

    @classmethod
    def from_values(cls, values: np.ndarray) -> SortedReference:
        """From raw values (missing and infinite values are left out)."""
        x = np.asarray(values, dtype=np.float64)
        x = np.sort(x[np.isfinite(x)])
        return cls.from_sorted(x)

    @classmethod
    def from_sorted(cls, x: np.ndarray) -> SortedReference:
        """From finite values already sorted ascending."""
        if x.size == 0:
            return cls.from_counts(np.empty(0), np.empty(0, dtype=np.int64))
        starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
        counts = np.diff(np.r_[starts, x.size])
        return cls.from_counts(x[starts], counts)

    @classmethod
    def from_counts(cls, values: np.ndarray, counts: np.ndarray) -> SortedReference:
        """From distinct ascending values and their counts (as stored)."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        cum = np.zeros(values.size + 1, dtype=np.int64)
        np.cumsum(counts, out=cum[1:])
        n = int(cum[-1])
        integral = np.zeros(values.size, dtype=np.float64)
        if values.size > 1:
            # F is constant (cum[i+1] / n) on [values[i], values[i+1]).
            np.cumsum(cum[1:-1] / n * np.diff(values), out=integral[1:])
        return cls(values, counts, cum, integral)

    @property
    def n(self) -> int:
        return int(self.cum[-1])

    def count_le(self, x: np.ndarray) -> np.ndarray:
        """How many reference values are ≤ each x."""
        return self.cum[np.searchsorted(self.values, x, side="right")]

    def count_lt(self, x: np.ndarray) -> np.ndarray:
        """How many reference values are < each x."""
        return self.cum[np.searchsorted(self.values, x, side="left")]

    def expand(self) -> np.ndarray:
        """The sorted sample itself (each value repeated by its count)."""
        return np.repeat(self.values, self.counts)

    def mean_std(self) -> tuple[float, float]:
        """Mean and population standard deviation (ddof 0, as numpy.std)."""
        if self.n == 0:
            return math.nan, math.nan
        mean = float(np.dot(self.values, self.counts) / self.n)
        var = float(np.dot((self.values - mean) ** 2, self.counts) / self.n)
        return mean, math.sqrt(var)


@dataclass(frozen=True)
class SortedBatch:
    """A batch's finite values, sorted, with the lookups into a reference both tests share."""

    values: np.ndarray     # distinct batch values, ascending
    le: np.ndarray         # batch values ≤ each of them
    n: int
    ref_right: np.ndarray  # searchsorted(ref.values, values, "right")

    @classmethod
    def of(cls, ref: SortedReference, batch_sorted: np.ndarray) -> SortedBatch:
        last = np.flatnonzero(np.r_[batch_sorted[1:] != batch_sorted[:-1], True])
        values = batch_sorted[last]
        return cls(values, last + 1, int(batch_sorted.size), np.searchsorted(ref.values, values, side="right"))


def _batch(ref: SortedReference, batch: np.ndarray | SortedBatch) -> SortedBatch:
    return batch if isinstance(batch, SortedBatch) else SortedBatch.of(ref, np.asarray(batch, dtype=np.float64))


def ks_statistic(ref: SortedReference, batch_sorted: np.ndarray | SortedBatch) -> float:
    """sup |F_ref − F_batch|, found at the batch's distinct values (right and left limits).

    Between two consecutive batch values F_batch is constant and F_ref monotone, so the
    supremum on that stretch is at one of its ends; those ends are the pairs of counts
    scipy.stats.ks_2samp evaluates, divided the same way, so the float is the same.
    """
    batch = _batch(ref, batch_sorted)
    n_ref, n_batch = ref.n, batch.n
    lt_batch = np.r_[0, batch.le[:-1]]
    right = ref.cum[batch.ref_right] / n_ref - batch.le / n_batch
    left = ref.count_lt(batch.values) / n_ref - lt_batch / n_batch
    max_s = max(float(right.max()), float(left.max()))
    min_s = min(float(right.min()), float(left.min()))
    return max(max_s, min(max(-min_s, 0.0), 1.0))


def ks_test(ref: SortedReference, batch_sorted: np.ndarray | SortedBatch) -> tuple[float, float]:
    """(statistic, p-value) of the two-sided two-sample Kolmogorov–Smirnov test.

    The p-value follows scipy.stats.ks_2samp(method="auto"): exact when both samples hold at
    most 10,000 values (then both are small, and SciPy's own exact routine is called on
    them), else Smirnov's asymptotic distribution `kstwo.sf(d, round(n·m/(n+m)))`.
    """
    from scipy import stats

    n_ref = ref.n
    n_batch = batch_sorted.n if isinstance(batch_sorted, SortedBatch) else len(batch_sorted)
    if n_ref == 0 or n_batch == 0:
        raise ValueError("the two-sample KS test needs values on both sides")
    if max(n_ref, n_batch) <= KS_EXACT_MAX_N:
        batch = batch_sorted if not isinstance(batch_sorted, SortedBatch) else \
            np.repeat(batch_sorted.values, np.diff(np.r_[0, batch_sorted.le]))
        result = stats.ks_2samp(ref.expand(), batch)
        return float(result.statistic), float(result.pvalue)
    d = ks_statistic(ref, batch_sorted)
    m, n = sorted((float(n_ref), float(n_batch)), reverse=True)
    p = float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0.0, 1.0))
    return d, p


def wasserstein(ref: SortedReference, batch_sorted: np.ndarray | SortedBatch) -> float:
    """The first Wasserstein distance ∫ |F_ref − F_batch| dx between the two samples.

    On each stretch [b_k, b_k+1) between distinct batch values F_batch is a constant c, and
    ∫ |F_ref − c| splits at the first reference value where F_ref reaches c; each part is a
    difference of ∫ F_ref. The tails: below the first batch value F_batch = 0, above the
    last F_batch = 1.
    """
    batch = _batch(ref, batch_sorted)
    n_ref, n_batch = ref.n, batch.n
    if n_ref == 0 or n_batch == 0:
        raise ValueError("the Wasserstein distance needs values on both sides")
    values = batch.values
    at_values = _integral_at(ref, values, batch.ref_right)
    a, b, ia, ib = values[:-1], values[1:], at_values[:-1], at_values[1:]
    level = batch.le[:-1]  # F_batch = level / n_batch on [a, b)
    # first reference value with F_ref ≥ level / n_batch: cum ≥ ceil(level · n_ref / n_batch), in integers
    needed = (level * n_ref + n_batch - 1) // n_batch
    cross_index = np.searchsorted(ref.cum, needed, side="left") - 1
    cross = np.clip(ref.values[np.clip(cross_index, 0, ref.values.size - 1)], a, b)
    ix = _integral_at(ref, cross, np.searchsorted(ref.values, cross, side="right"))
    c = level / n_batch
    middle = c * (cross - a) - (ix - ia) + (ib - ix) - c * (b - cross)
    last = float(values[-1])
    top = max(float(ref.values[-1]), last)
    at_top = float(_integral_at(ref, np.array([top]), np.array([ref.values.size]))[0])
    above = (top - last) - (at_top - float(at_values[-1]))
    return float(at_values[0] + middle.sum() + above)


def _integral_at(ref: SortedReference, x: np.ndarray, right: np.ndarray) -> np.ndarray:
    """∫ F_ref(t) dt from the smallest reference value to each x, given searchsorted(values, x, "right")."""
    i = right - 1
    inside = i >= 0
    j = np.where(inside, i, 0)
    out = ref.integral[j] + ref.cum[j + 1] / ref.n * (x - ref.values[j])
    return np.where(inside, out, 0.0)


def quantile_edges(ref: SortedReference, bins: int) -> np.ndarray:
    """Inner bin edges at the reference's quantiles 1/bins … (bins−1)/bins, ties merged.

    Each edge is a reference value: the smallest one with at least i·n/bins values at or
    below it (numpy's "inverted_cdf" quantile, compared here in integers), so no bin is
    empty by construction, as an interpolated edge between two tied runs could make it.
    Bins are (−∞, e1], (e1, e2], …, (ek, +∞): open at both ends so that batch values outside
    the reference's range still land in the outer bins. A value that fills several
    quantiles (many ties) yields one edge, so such a column has fewer than `bins` bins.
    """
    if ref.n == 0:
        return np.empty(0)
    levels = np.arange(1, bins, dtype=np.int64)
    needed = (levels * ref.n + bins - 1) // bins   # ceil(i · n / bins)
    index = np.searchsorted(ref.cum[1:], needed, side="left")
    return np.unique(ref.values[index])


def reference_bin_counts(ref: SortedReference, edges: np.ndarray) -> np.ndarray:
    """How many reference values fall in each bin of `quantile_edges` (len(edges) + 1 bins)."""
    return np.diff(np.r_[0, ref.count_le(edges), ref.n])


def bin_counts(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many of `values` fall in each bin of `quantile_edges` (len(edges) + 1 bins)."""
    return np.bincount(np.searchsorted(edges, values, side="left"), minlength=edges.size + 1)


def shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total > 0 else counts


def psi(ref_shares: np.ndarray, batch_shares: np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population Stability Index Σ (batch − ref) · ln(batch / ref) over bins or categories.

    A share of zero (an empty bin, a category one side lacks) is taken as `epsilon`.
    """
    p = np.where(np.asarray(ref_shares, dtype=np.float64) > 0, ref_shares, epsilon)
    q = np.where(np.asarray(batch_shares, dtype=np.float64) > 0, batch_shares, epsilon)
    return float(np.sum((q - p) * np.log(q / p)))


def psi_band(value: float, moderate: float, significant: float) -> str:
    """"stable" below `moderate`, "moderate" below `significant`, else "significant"."""
    if not math.isfinite(value):
        return "stable"
    return "stable" if value < moderate else "moderate" if value < significant else "significant"


def chi_squared(ref_counts: np.ndarray, batch_counts: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-squared test that both samples come from one category distribution.

    The two-sample test of homogeneity on the 2 × k table [reference counts; batch counts]:
    expected counts are row total × column total / grand total (the pooled shares), so the
    reference's own sampling noise is accounted for. Equal to
    scipy.stats.chi2_contingency(table, correction=False) on the categories either side has.
    """
    from scipy import stats

    table = np.vstack([np.asarray(ref_counts, dtype=np.float64), np.asarray(batch_counts, dtype=np.float64)])
    if table[0].sum() == 0 or table[1].sum() == 0:
        raise ValueError("the chi-squared test needs values on both sides")
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def chi_squared_goodness_of_fit(ref_counts: np.ndarray, batch_counts: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-squared goodness of fit of the batch's counts to the reference's shares (Evidently's test).

    Expected counts are the reference's shares times the batch's size, as if the reference's
    shares were exact: scipy.stats.chisquare(batch_counts, ref_counts / n_ref * n_batch). A
    category the reference never had has an expected count of 0: the statistic is infinite
    and the p-value 0. Because the reference's noise is ignored it finds "drift" too often
    when the reference is small — see docs/drift.md; `chi_squared` is the default.
    """
    from scipy import stats

    ref = np.asarray(ref_counts, dtype=np.float64)
    obs = np.asarray(batch_counts, dtype=np.float64)
    if ref.sum() == 0 or obs.sum() == 0:
        raise ValueError("the chi-squared test needs values on both sides")
    expected = ref / ref.sum() * obs.sum()
    if np.any((expected == 0) & (obs > 0)):
        return math.inf, 0.0
    keep = expected > 0
    if keep.sum() < 2:
        return 0.0, 1.0
    result = stats.chisquare(obs[keep], expected[keep])
    return float(result.statistic), float(result.pvalue)


def jensen_shannon(ref_counts: np.ndarray, batch_counts: np.ndarray) -> float:
    """Jensen–Shannon distance between the two category distributions, natural logarithm.

    The natural log (scipy's default, and Evidently's) bounds it by √ln 2 ≈ 0.833.
    """
    from scipy.spatial import distance

    return float(distance.jensenshannon(shares(ref_counts), shares(batch_counts)))


def missing_change(ref_missing: int, ref_rows: int, batch_missing: int, batch_rows: int) -> float:
    """Two-sided p-value that the share of missing values is the same (two-proportion z-test)."""
    from scipy import stats

    if ref_rows == 0 or batch_rows == 0:
        return 1.0
    pooled = (ref_missing + batch_missing) / (ref_rows + batch_rows)
    if pooled in (0.0, 1.0):
        return 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / ref_rows + 1 / batch_rows))
    z = (batch_missing / batch_rows - ref_missing / ref_rows) / se
    return float(2 * stats.norm.sf(abs(z)))
