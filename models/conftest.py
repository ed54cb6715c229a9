"""pytest root for the model toolchain: makes `import vlsm` work from any working directory."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
