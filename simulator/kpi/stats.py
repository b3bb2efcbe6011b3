"""Statistics across replications: the mean of the simulated days and its 95% interval."""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
from scipy.special import stdtrit  # Student-t quantile; lighter to import than stats


class CI(NamedTuple):
    """A mean with its 95% confidence interval (arrays or floats alike)."""

    mean: Any
    low: Any
    high: Any


def confidence(samples: np.ndarray, axis: int = 0) -> CI:
    """Mean and 95% Student-t interval across replications (NaN days left out).

    Returns (mean, low, high); with fewer than two valid days the interval is NaN.
    """
    samples = np.asarray(samples, dtype=float)
    valid = (~np.isnan(samples)).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are expected
        mean = np.nanmean(samples, axis=axis)
        sd = np.nanstd(samples, axis=axis, ddof=1)
        half = stdtrit(np.maximum(valid - 1, 1), 0.975) * sd / np.sqrt(valid)
    half = np.where(valid >= 2, half, np.nan)
    return CI(mean, mean - half, mean + half)
