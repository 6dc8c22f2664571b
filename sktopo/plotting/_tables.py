"""What the experiments' figures share: is this the table they draw, and what came with it?"""


def check_table(df, columns, producer: str, name: str = "table") -> None:
    """Refuse anything but a DataFrame of ``producer`` with rows and ``columns``, naming what is wrong.

    Parameters
    ----------
    df : object
    columns : sequence of str
    producer : str
        The experiment function whose table is expected, for the message.
    name : str, default="table"
        The parameter that held ``df``, for the message.
    """
    missing = [c for c in columns if c not in getattr(df, "columns", ())]
    if missing or not hasattr(df, "iloc") or not len(df):
        raise ValueError(
            f"{name} must be the table of a result of {producer}, with rows and the columns {', '.join(columns)}"
            + (f"; missing {', '.join(missing)}." if missing else "; it has no rows.")
        )


def result_parts(result, names) -> tuple:
    """The table of an experiment's ``result`` and its attributes ``names`` (None for a bare table).

    Parameters
    ----------
    result : ExperimentResult or pandas.DataFrame
    names : sequence of str

    Returns
    -------
    table : pandas.DataFrame
    parts : dict
    """
    table = getattr(result, "table", result)
    return table, {name: getattr(result, name, None) for name in names}
