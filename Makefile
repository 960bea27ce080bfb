# The two commands of the README, plus the pieces they are made of.
.PHONY: run test install check bench clean

run:  ## install everything and run the platform on SQLite with the demo data
	bash scripts/run.sh

test:  ## install everything and run every quality gate and the whole test suite
	bash scripts/test.sh

install:
	bash scripts/bootstrap.sh

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
