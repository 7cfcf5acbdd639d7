"""MapResult: the answer of Index.map()."""


class MapResult(list):
    """The result rows of a mapping, a list of (from, to) tuples ((from, to, via) for a via
    job; a last item active, True or False, when inactive UniParc cross-references were asked
    for), with what UniProt's results object also carries:
      failed     ids that could not be mapped (UniProt's failedIds), first-seen order
      suggested  (from, to) unreviewed entries of ids that have no reviewed one, UniParc UPIs
                 of RefSeq/EMBL/GI ids that have no UniProtKB entry
      obsolete   {id: "secondary" or "deleted"} (a deleted id is obsolete, not failed)
      warnings   [(code, message)], UniProt's warning codes
      stats      counts: inputs, distinct, duplicates, mapped, failed, results, ...
    """

    def __init__(self, rows=(), with_via=False, with_active=False):
        super().__init__(rows)
        self.columns = ("from", "to") + (("via",) if with_via else ()) + \
            (("active",) if with_active else ())
        self.failed, self.suggested, self.warnings = [], [], []
        self.obsolete, self.stats = {}, {}

    def to_frame(self):
        """The rows as a pandas.DataFrame with columns from, to (via, active). Needs pandas."""
        try:
            import pandas
        except ImportError as e:
            raise ImportError("idmap: to_frame() and as_frame=True need pandas "
                              "(apt-get install python3-pandas, or pip install pandas)") from e
        return pandas.DataFrame(list(self), columns=list(self.columns))
