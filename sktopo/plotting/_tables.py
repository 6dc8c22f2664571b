"""The one check the experiments' figures share: is this the table they draw?"""


def check_table(df, columns, producer: str) -> None:
    """Refuse anything but a DataFrame of ``producer`` with rows and ``columns``, naming what is wrong.

    Parameters
    ----------
    df : object
    columns : sequence of str
    producer : str
        The experiment function whose table is expected, for the message.
    """
    missing = [c for c in columns if c not in getattr(df, "columns", ())]
    if missing or not hasattr(df, "attrs") or not len(df):
        raise ValueError(
            f"df must be a table of {producer}, with rows and the columns {', '.join(columns)}"
            + (f"; missing {', '.join(missing)}." if missing else "; it has no rows.")
        )
