"""The inference engine: ranks causes from evidence, explains itself, picks the next action.

Pure Python over a validated KnowledgeBase; no torch, no Textual.
"""

from nanwiz.engine.explain import Settle, settle
from nanwiz.engine.infer import Contribution, Ranking, Scored, rank
from nanwiz.engine.voi import Action, Settled, next_actions, settled

__all__ = ["Action", "Contribution", "Ranking", "Scored", "Settle", "Settled", "next_actions", "rank",
           "settle", "settled"]
