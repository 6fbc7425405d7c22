"""Multinomial logistic regression with scikit-learn's objective, fitted in a fraction of the time.

Profile of a training on this project (py-spy, scikit-learn 1.1 as pinned by Rasa 3.6,
lbfgs, 130k features x 29 intents = 3.8M coefficients): 88 % of the whole training was
the intent classifier's fit, and of that about 40 % was SciPy's L-BFGS-B bookkeeping on
3.8M float64 variables (bounds, Cauchy point, subspace step, copies), 35 % the two
sparse products per iteration (through a column-ordered, copied coefficient matrix),
the rest copies and conversions.

Here the objective is scikit-learn's (softmax cross-entropy summed over the examples,
L2 penalty 1/(2C) on the coefficients, intercepts unpenalised), minimised by a plain
limited-memory BFGS (two-loop recursion, no bounds) in NumPy with float32 vectors, the
coefficients laid out (features x intents) C-contiguous and the transposed features
copied once, row-ordered, for the gradient. Standalone (NumPy and SciPy only), so
ops/bench/intent_fit.py can time it outside Rasa.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Deque, List, Optional, Sequence, Tuple

import numpy as np
from scipy.linalg.blas import get_blas_funcs
from scipy.sparse import csr_matrix

Objective = Callable[[np.ndarray], Tuple[float, np.ndarray]]
Progress = Callable[[int, np.ndarray, np.ndarray], None]


def fit_softmax(features: Any, labels: Sequence[str], *, C: float, max_iter: int = 200,
                tol: float = 1e-4, history: int = 10, progress: Optional[Progress] = None,
                threads: int = 0) -> Tuple[List[str], np.ndarray, np.ndarray, int]:
    """Fit a multinomial logistic regression on sparse features.

    Args:
        features: sparse (examples x features) matrix.
        labels: one class name per example.
        C: inverse regularisation strength, as in scikit-learn.
        max_iter: L-BFGS iterations at most.
        tol: stop when the largest gradient component, per example, is below it.
        history: correction pairs L-BFGS keeps (SciPy's default, 10).
        progress: called after each iteration with its number, the coefficients
            (features x classes, a view) and the intercepts (for benchmarks).
        threads: threads for the two sparse products of each evaluation (0: one per
            core the process may use, at most 4). Each thread computes whole rows, so
            the results do not depend on it.

    Returns:
        The sorted class names, coefficients (classes x features), intercepts (classes)
        and the iterations run.
    """
    threads = threads or min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                             else os.cpu_count() or 1)
    classes, y = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    x = csr_matrix(features, dtype=np.float32)
    xt = csr_matrix(x.T)  # the gradient's X.T @ G as a row-ordered product
    n, f = x.shape
    k = len(classes)
    size = f * k
    alpha = np.float32(1.0 / C)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    examples, features_ = _row_blocks(x, threads), _row_blocks(xt, threads)
    pool = ThreadPoolExecutor(len(examples)) if len(examples) > 1 else None

    def product(blocks: List[Tuple[int, int, csr_matrix]], dense: np.ndarray,
                out: np.ndarray) -> None:
        """out = the blocks' rows @ dense, one block per thread (SciPy releases the GIL)."""
        def one(block: Tuple[int, int, csr_matrix]) -> None:
            start, end, rows = block
            out[start:end] = rows @ dense
        if pool is None:
            one(blocks[0])
        else:
            list(pool.map(one, blocks))

    def loss_grad(params: np.ndarray) -> Tuple[float, np.ndarray]:
        w = params[:size].reshape(f, k)
        z = np.empty((n, k), dtype=np.float32)
        product(examples, w, z)
        z += params[size:]
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        penalty = float(np.dot(params[:size], params[:size]))
        loss = -float((logp * onehot).sum(dtype=np.float64)) + 0.5 * float(alpha) * penalty
        diff = np.exp(logp) - onehot
        grad = np.empty_like(params)
        product(features_, diff, grad[:size].reshape(f, k))
        grad[:size] += alpha * params[:size]
        grad[size:] = diff.sum(axis=0)
        return loss, grad

    def report(iteration: int, params: np.ndarray) -> None:
        if progress is not None:
            progress(iteration, params[:size].reshape(f, k), params[size:])

    try:
        params, iterations = lbfgs(loss_grad, np.zeros(size + k, dtype=np.float32),
                                   max_iter=max_iter, gtol=tol * n, history=history,
                                   progress=report)
    finally:
        if pool is not None:
            pool.shutdown()
    coef = params[:size].reshape(f, k).T.astype(np.float64)
    return ([str(c) for c in classes], np.ascontiguousarray(coef),
            params[size:].astype(np.float64), iterations)


def _row_blocks(matrix: csr_matrix, count: int) -> List[Tuple[int, int, csr_matrix]]:
    """Split a CSR matrix into ``count`` bands of rows holding about as many values each."""
    rows = matrix.shape[0]
    bounds = [0] + [int(np.searchsorted(matrix.indptr, matrix.nnz * part // count))
                    for part in range(1, count)] + [rows]
    return [(start, end, matrix[start:end]) for start, end in zip(bounds, bounds[1:])
            if end > start]


def lbfgs(objective: Objective, start: np.ndarray, *, max_iter: int, gtol: float,
          history: int = 10, progress: Optional[Callable[[int, np.ndarray], None]] = None
          ) -> Tuple[np.ndarray, int]:
    """Minimise a smooth function with limited-memory BFGS and a backtracking line search.

    Stops after ``max_iter`` iterations, when the largest gradient component is at most
    ``gtol``, or when a step no longer lowers the function.

    Returns:
        The parameters reached and the iterations run.
    """
    params = start
    value, grad = objective(params)
    pairs: Deque[Tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=history)
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        if float(np.abs(grad).max()) <= gtol:
            return params, iteration - 1
        direction = _direction(grad, pairs)
        slope = float(np.dot(grad, direction))
        if slope >= 0:  # not a descent direction: start again from the gradient
            pairs.clear()
            direction = -grad / max(1.0, float(np.linalg.norm(grad)))
            slope = float(np.dot(grad, direction))
        step = 1.0
        while True:
            candidate = params + np.float32(step) * direction
            new_value, new_grad = objective(candidate)
            if new_value <= value + 1e-4 * step * slope:
                break
            step *= 0.5
            if step < 1e-8:
                return params, iteration
        s, y = candidate - params, new_grad - grad
        sy = float(np.dot(s, y))
        if sy > 1e-10 * float(np.dot(y, y)):
            pairs.append((s, y, 1.0 / sy))
        improved = value - new_value
        params, value, grad = candidate, new_value, new_grad
        if progress is not None:
            progress(iteration, params)
        if improved <= 1e-9 * max(abs(value), 1.0):
            break
    return params, iteration


def _direction(grad: np.ndarray,
               pairs: Deque[Tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Return the L-BFGS search direction (two-loop recursion).

    The updates run in place through BLAS (axpy, scal): on 8 million coefficients the
    NumPy expressions' temporaries made the recursion half again as slow.
    """
    q = grad.copy()
    axpy, dot, scal = get_blas_funcs(("axpy", "dot", "scal"), (q,))
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(dot(s, q))
        alphas.append(a)
        axpy(y, q, a=-a)
    if pairs:
        s, y, _ = pairs[-1]
        scal(float(dot(s, y)) / float(dot(y, y)), q)
    else:
        scal(1.0 / max(1.0, float(np.linalg.norm(grad))), q)
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        b = rho * float(dot(y, q))
        axpy(s, q, a=a - b)
    scal(-1.0, q)
    return q
