"""What a write of records did: rows new, replaced and unchanged, and the first replaced
rows described in full. Both ways of writing (`storage.write_versioned` in Python,
`bulk_write.write_staged` on PostgreSQL) return it, and the importer and review add the
kinds' counts up."""

from __future__ import annotations

from dataclasses import dataclass, field

EXAMPLES = 200  # replaced rows described in full, for the page's "what changed" list


@dataclass
class WriteCounts:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    # {"table", "key": {column: value}, "changes": {column: [old, new]}} per replaced row.
    replaced_examples: list[dict] = field(default_factory=list)

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        room = EXAMPLES - len(self.replaced_examples)
        self.replaced_examples.extend(other.replaced_examples[:room])
