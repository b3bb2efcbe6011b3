"""Erlang B, C and A: how many callers are refused, how many wait, and for how long.

This is the analytic half of callsim. It models one queue served by ``n`` identical
agents. Calls arrive as a Poisson stream (rate lambda per second) and handle times are
exponential with mean ``aht`` seconds (rate mu = 1/aht per second). The **load**

    A = lambda * aht        (Erlangs)

is the number of agents that would be busy on average if nobody were refused and
nobody hung up: 100 calls in 30 minutes at 180 s each is 100/1800 * 180 = 10 Erlangs.
All three models describe the same birth-death chain on "calls in the system"; they
differ in what happens to a call that finds every agent busy.

* **Erlang B** (M/M/n/n) - the call is refused (a busy signal) and lost. The blocking
  probability ``B(A, n)`` sizes trunk lines. A textbook identity does the rest:
  ``1/B(A, n) = 1 + (n/A) / B(A, n-1)``, so B is a *ratio*, never a factorial.
* **Erlang C** (M/M/n) - the call queues and every caller waits as long as it takes.
  The chance of waiting is ``C = n B / (n - A (1 - B))`` if ``n > A``; with ``n <= A``
  the queue grows without bound and ``C = 1``. The wait of a delayed caller is
  exponential with rate ``(n - A)/aht``, which gives the service level
  ``P(wait <= T) = 1 - C exp(-(n - A) T / aht)`` and ``ASA = C aht / (n - A)``.
* **Erlang A** (M/M/n+M, Palm's model) - each waiting caller hangs up after an
  exponential patience of mean ``patience`` seconds (rate theta). The queue can no longer
  explode, so every load has an answer, and it is the model that does not overstaff
  when real callers abandon. With ``x = lambda/theta`` and ``a = n mu/theta``, the
  chance of finding ``n + k`` calls in the system is ``pi_n t_k`` with
  ``t_k = x^k / ((a+1)(a+2)...(a+k))``: each extra caller in queue adds one more
  way of leaving (an abandonment) to the death rate ``n mu + k theta``.
  A caller who finds k ahead of it is answered with probability ``a/(a+k+1)`` and
  then after a mean wait ``sum_{i=1..k+1} 1/(n mu + i theta)``
  (Zeltyn & Mandelbaum 2005, "Call centers with impatient customers: exact analysis
  and many-server asymptotics of the M/M/n+G queue", Queueing Systems 51).
  The service level comes from the same paper's offered-wait density
  ``f(t) = n mu pi_n exp(lambda (1 - e^{-theta t})/theta - n mu t)``, integrated
  against the chance ``e^{-theta t}`` that the caller is still there at t:
  the answered-after-T mass is ``pi_n a/(a+1) exp(-(n mu + theta) T
  + x (1 - e^{-theta T})) S(a+1, x e^{-theta T})`` with ``S(a, x) = sum_k t_k``
  (an incomplete gamma function in disguise).

``mmnk_abandon`` solves the general finite chain M/M/n/K+M (``lines`` limit the talking
plus waiting calls; patience may be infinite) by brute force, state by state, and a
tagged-caller Markov chain for the service level. It is slower, and it is the
independent witness the simulator and the tests compare against: Erlang B is
``lines = agents, abandon_rate = 0``; Erlang C is ``lines = inf, abandon_rate = 0``;
Erlang A is ``lines = inf``.

KPI definitions are callsim's (docs/reference/kpis.md): ``service_level`` is calls answered
within T divided by accepted calls, so an abandoned call is a miss even if the caller
hung up before T; ``asa`` is the mean wait of *answered* calls; ``abandon_rate`` is
abandoned / accepted.

Numerics. Everything broadcasts over numpy arrays (scalars in give floats out) and
works for loads of 10,000 Erlangs and more than 12,000 agents without overflow:

* Poisson probabilities ``A^n e^{-A} / n!`` are computed in log space with Loader's
  saddle-point form (``stirlerr`` + ``bd0``), accurate to a few ulps even when
  ``n log A`` and ``log n!`` are both 10^5 and cancel.
* ``B(A, n) = (A^n e^{-A}/n!) / P(Poisson(A) <= n)``, the denominator being the
  regularized upper incomplete gamma ``Q(n+1, A)`` (``scipy.special.gammaincc``).
  Where Q is small (below 1e-3: A well above n) scipy's Q loses digits and finally
  underflows, and a Lentz continued fraction gives ``1/B`` directly instead.
  **Fractional agents** use this same formula with real n, which is the standard
  continuous extension
  ``1/B(A, n) = A int_0^inf e^{-A y} (1 + y)^n dy``: it agrees with the recursion at
  integers, is smooth and decreasing in n. Erlang C follows from B and inherits it.
* Erlang A: the part of the distribution below n is ``1/B - 1`` (relative to pi_n),
  so it inherits the continuous extension too; the queue part uses real
  ``a = n mu/theta``. The sums over the queue length k are taken in log space over a
  window around their largest term, wide enough that every dropped term is below
  e^-40 of it (a bound, not a guess), so results are exact to rounding, about 1e-12.
  The window has at most ``22 sqrt(x) + 70`` terms (far fewer when n > A), so the cost
  grows only with the square root of ``lambda * patience``: at 1,667 Erlangs, about
  0.1 ms per point in an array and 0.5 ms for a single call.
"""

from .a import ErlangAResult, erlang_a
from .agents import Unreachable, agents_for_service_level, fewest_agents
from .b import RecallResult, erlang_b, erlang_b_recall
from .c import erlang_c, erlang_c_asa, erlang_c_service_level, occupancy
from .mmnk import MMNKResult, mmnk_abandon

__all__ = [
    "ErlangAResult",
    "MMNKResult",
    "RecallResult",
    "Unreachable",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_b_recall",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
    "fewest_agents",
    "mmnk_abandon",
    "occupancy",
]
