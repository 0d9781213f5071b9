"""Train a small model to audit clinical-trial records with TRL's GRPOTrainer.

Not run in the test suite (TRL and a GPU are not installed there). Install and run:

    pip install "trl>=0.29" datasets            # plus torch for your accelerator
    python examples/train_grpo.py --model Qwen/Qwen3-0.6B --task easy --episodes 256

Each rollout gets its own `AuditToolEnv` (TRL's `environment_factory`): the trainer exposes the
wrapper's public methods (query_records, investigate_pattern, compute_distribution,
flag_error, propose_fix, submit_report) as tools, and calls `reset(**row)` with the dataset
row's columns, here `task` and `seed`, so every prompt is a distinct, reproducible episode.
The environment runs in `train` mode: its dense rewards add up to the episode score, so the
reward below is the score an evaluation would report. With `--env-url` the wrappers drive a
running `trialscope audit serve --mode train` (or many replicas behind a load balancer) over
WebSocket instead of in-process environments; a server in the default eval mode refuses them.
"""

from __future__ import annotations

import argparse


def main() -> None:
    """Build the dataset, the environment factory and the trainer, then train."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from trialscope.audit.training import AuditToolEnv, audit_env_factory

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="Qwen/Qwen3-0.6B")
    parser.add_argument("--task", choices=["easy", "medium", "hard"], default="easy")
    parser.add_argument("--episodes", type=int, default=256, help="distinct seeds in the dataset")
    parser.add_argument(
        "--env-url",
        action="append",
        default=None,
        help="http(s)://host:port of a server started with --mode train (repeat for replicas)",
    )
    parser.add_argument("--output-dir", default="outputs/audit-grpo")
    args = parser.parse_args()

    prompt = (
        "You audit a clinical trial's patient records against its protocol. Use the tools to "
        "read the protocol's rules, query and investigate the records, flag each record that "
        "breaks a rule (with a confidence between 0 and 1), then submit a report that cites "
        "the patients and rules you found. Do not flag what you have not checked."
    )
    dataset = Dataset.from_dict(
        {
            "prompt": [[{"role": "user", "content": prompt}]] * args.episodes,
            "task": [args.task] * args.episodes,
            "seed": list(range(args.episodes)),
        }
    )

    def episode_score(environments: list[AuditToolEnv], **kwargs: object) -> list[float]:
        return [env.reward for env in environments]

    trainer = GRPOTrainer(
        model=args.model,
        train_dataset=dataset,
        reward_funcs=episode_score,
        args=GRPOConfig(
            output_dir=args.output_dir,
            max_completion_length=8192,  # the whole multi-turn episode shares this budget
            num_generations=8,
            chat_template_kwargs={"enable_thinking": False},
            log_completions=True,
        ),
        environment_factory=audit_env_factory(task=args.task, base_url=args.env_url),
    )
    trainer.train()


if __name__ == "__main__":
    main()
