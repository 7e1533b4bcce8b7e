"""The neural GAN stage: attack generators against a trading policy, fed back into the matrix game.

- :mod:`solvers.gan.backtest`: the differentiable (torch) twin of the payoff kernel;
- :mod:`solvers.gan.networks`: attack generator, realism critic, policy network;
- :mod:`solvers.gan.training`: alternating gradient descent-ascent with a budget curriculum, several
  adversaries, diversity and exploitability monitoring, early stopping;
- :mod:`solvers.gan.volume`: standardised log volume and the base volume model;
- :mod:`solvers.gan.refine`: generated attacks and the trained policy join the game, which is solved again.
"""

from solvers.gan.backtest import (
    log_growth,
    max_drawdown,
    rule_curves,
    simulate,
    utility,
    wealth_curves,
)
from solvers.gan.networks import (
    FAMILIES,
    AttackGenerator,
    PolicyNetwork,
    RealismCritic,
    bound_attack,
    stylized_facts,
)
from solvers.gan.refine import (
    POLICY_NAME,
    GeneratedAttack,
    RefinementResult,
    policy_utility,
    refine_game,
)
from solvers.gan.training import (
    GANConfig,
    GANResult,
    TrainingLog,
    deepest_fall,
    generate_attacks,
    policy_curves,
    train_gan,
)
from solvers.gan.volume import (
    DEFAULT_VOLUME_MODEL,
    VOLUME_SPAN,
    VolumeModel,
    standardised_log_volume,
)

__all__ = [
    "DEFAULT_VOLUME_MODEL",
    "FAMILIES",
    "POLICY_NAME",
    "VOLUME_SPAN",
    "AttackGenerator",
    "GANConfig",
    "GANResult",
    "GeneratedAttack",
    "PolicyNetwork",
    "RealismCritic",
    "RefinementResult",
    "TrainingLog",
    "VolumeModel",
    "bound_attack",
    "deepest_fall",
    "generate_attacks",
    "log_growth",
    "max_drawdown",
    "policy_curves",
    "policy_utility",
    "refine_game",
    "rule_curves",
    "simulate",
    "standardised_log_volume",
    "stylized_facts",
    "train_gan",
    "utility",
    "wealth_curves",
]
