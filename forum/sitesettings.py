"""Site-wide settings admins change from the web (not deploy-time configuration, which is
forum/config.py): a key and a short text value per row. Read them in SQL where a page needs
them (a scalar subquery costs no query of its own), write them through `set_value`."""
from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class SiteSetting(db.Model):
    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), default="")


def value_query(key: str):
    """The value of `key` as a scalar subquery (NULL when never set)."""
    return select(SiteSetting.value).where(SiteSetting.key == key).scalar_subquery()


def get_value(key: str, default: str = "") -> str:
    value = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == key))
    return default if value is None else value


def set_value(key: str, value: str) -> None:
    setting = db.session.get(SiteSetting, key)
    if setting is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        setting.value = value
    db.session.flush()
