"""``python -m talkinghead.training``: run one training task, in one process or under ``torchrun``.

The developer's entry until ``talkinghead train METHOD`` dispatches through the METHODS registry::

    python -m talkinghead.training --task my_task.py:make_task --config run.json --out runs/a
    torchrun --standalone --nproc-per-node 2 -m talkinghead.training --task ... --out runs/a
    python -m talkinghead.training --task ... --out runs/a --resume

``--task`` names a factory as ``path/to/file.py:NAME`` or ``package.module:NAME``; it is called with the
``"task"`` object of the config file as keyword arguments and returns a :class:`TrainingTask`. The config
file is JSON: ``{"training": {TrainingConfig fields}, "task": {...}}``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import sys
from pathlib import Path

from talkinghead.errors import OptionError, TalkingHeadError
from talkinghead.training.config import TrainingConfig
from talkinghead.training.distributed import torch_threads
from talkinghead.training.loop import run_training


def load_factory(spec: str):
    """Resolve ``file.py:NAME`` or ``package.module:NAME`` to the object NAME."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise OptionError(f"--task {spec!r} must look like path/to/file.py:NAME or package.module:NAME")
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise OptionError(f"--task file {target!r} does not exist")
        module_spec = importlib.util.spec_from_file_location(f"_talkinghead_task_{path.stem}", path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module  # dataclasses and pickling for DataLoader workers need it
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as err:
            raise OptionError(f"cannot import {target!r} for --task: {err}") from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise OptionError(f"{target!r} has no {name!r} for --task") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m talkinghead.training", description=__doc__.split("\n")[0])
    parser.add_argument("--task", required=True, help="task factory: path/to/file.py:NAME or package.module:NAME")
    parser.add_argument("--config", type=Path, help="JSON file {'training': {...}, 'task': {...}}")
    parser.add_argument("--out", type=Path, required=True, help="run folder")
    parser.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads per process (default: torch's)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    rank = int(os.environ.get("RANK", "0"))
    logging.basicConfig(level=logging.INFO if rank == 0 else logging.WARNING,
                        format=f"[rank {rank}] %(levelname)s %(name)s: %(message)s")
    try:
        config = json.loads(args.config.read_text(encoding="utf-8")) if args.config else {}
        training = TrainingConfig.from_dict(config.get("training", {}))
        task = load_factory(args.task)(**config.get("task", {}))
        with torch_threads(args.threads):
            result = run_training(task, training, args.out, resume=args.resume, max_steps=args.max_steps)
    except TalkingHeadError as err:
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    if rank == 0:
        logging.getLogger("talkinghead.training").info("finished at step %d in %s", result.step, result.run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
