"""/partner: invite a partner with a single-use link, accept or decline, end the pairing."""

from __future__ import annotations

import html
import logging
from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.history import local_time
from bot.core.pairing import (
    DEEP_LINK_PREFIX,
    INVITE_LIFETIME,
    InviteProblem,
    hash_token,
    new_answer_key,
    new_invite_token,
)
from bot.features.pairing import views
from bot.handlers import keyboards
from bot.handlers.callback_data import Key
from bot.handlers.context import (
    AnyApplication,
    Context,
    chat_id,
    logged,
    user_id,
    user_time,
)

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


def _first_name(update: Update) -> str:
    return update.effective_user.first_name if update.effective_user else ""


@logged
async def partner(update: Update, context: Context) -> None:
    """/partner: who you're paired with, or how to invite someone."""
    found = context.services
    texts = found.content.texts
    paired = await found.storage.pairing.partner_of(user_id(update))
    if paired is not None:
        text = texts.partner_paired.format(name=html.escape(paired.name))
        markup = keyboards.grid([(texts.end_pairing_button, views.PARTNER_END)])
        await context.bot.send_message(chat_id(update), text, reply_markup=markup)
        return
    now = found.clock()
    invite = await found.storage.pairing.open_invite(user_id(update), now)
    if invite is None:
        markup = keyboards.grid([(texts.invite_button, views.PARTNER_INVITE)])
        await context.bot.send_message(chat_id(update), texts.partner_none, reply_markup=markup)
        return
    time_zone = (await user_time(context, user_id(update))).zone.key
    until = local_time(invite.expires_at, time_zone).strftime(texts.date_format)
    markup = keyboards.grid(
        [(texts.new_invite_button, views.PARTNER_INVITE)],
        [(texts.revoke_button, views.PARTNER_REVOKE)],
    )
    text = texts.partner_open_invite.format(date=until)
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def create_invite(update: Update, context: Context) -> None:
    """A new single-use link (any older one stops working), with a button to share it."""
    query = update.callback_query
    assert query is not None
    found = context.services
    texts = found.content.texts
    await query.answer()
    if await found.storage.pairing.partner_of(user_id(update)) is not None:
        await context.bot.send_message(chat_id(update), texts.invite_already_paired)
        return
    token = new_invite_token()
    expires = found.clock() + INVITE_LIFETIME
    await found.storage.pairing.create_invite(
        user_id(update), _first_name(update), hash_token(token), expires
    )
    link = f"https://t.me/{context.bot.username}?start={DEEP_LINK_PREFIX}{token}"
    share_url = f"https://t.me/share/url?url={quote(link)}&text={quote(texts.share_link_text)}"
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.share_link_button, url=share_url)],
            [InlineKeyboardButton(texts.revoke_button, callback_data=views.PARTNER_REVOKE)],
        ]
    )
    log.info("user=%s created an invite", user_id(update))
    text = texts.invite_created.format(link=html.escape(link))
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def revoke_invite(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.storage.pairing.revoke_invites(user_id(update))
    await context.bot.send_message(chat_id(update), context.texts.invite_revoked)


async def _say_problem(update: Update, context: Context, problem: InviteProblem | None) -> None:
    text = _problem_text(context, problem or InviteProblem.NOT_FOUND)
    await context.bot.send_message(chat_id(update), text)


def _problem_text(context: Context, problem: InviteProblem) -> str:
    texts = context.texts
    return {
        InviteProblem.NOT_FOUND: texts.invite_not_found,
        InviteProblem.USED: texts.invite_used,
        InviteProblem.REVOKED: texts.invite_revoked_problem,
        InviteProblem.EXPIRED: texts.invite_expired,
        InviteProblem.OWN: texts.invite_own,
        InviteProblem.INVITER_PAIRED: texts.invite_inviter_paired,
        InviteProblem.ALREADY_PAIRED: texts.invite_already_paired,
    }[problem]


@logged
async def open_invite(update: Update, context: Context) -> None:
    """/start pair_<token>: who invites you and what it means, with Accept and Decline."""
    token = (context.args or [""])[0].removeprefix(DEEP_LINK_PREFIX)
    answer_key = new_answer_key()
    invite, problem = await context.storage.pairing.offer_invite(
        hash_token(token), user_id(update), hash_token(answer_key), context.now()
    )
    if problem is not None or invite is None:
        await context.bot.send_message(
            chat_id(update), _problem_text(context, problem or InviteProblem.NOT_FOUND)
        )
        return
    texts = context.texts
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.accept_button,
                    callback_data=views.InviteAnswer("yes", Key(answer_key)).pack(),
                ),
                InlineKeyboardButton(
                    texts.decline_button,
                    callback_data=views.InviteAnswer("no", Key(answer_key)).pack(),
                ),
            ]
        ]
    )
    text = texts.invitation.format(name=html.escape(invite.inviter_name))
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def answer_invite(update: Update, context: Context) -> None:
    """Accept (pairs the two) or Decline; the invite is used up either way; both are told."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.InviteAnswer.of(query.data)
    accept, answer_key = button.answer == "yes", button.key
    found = context.services
    now = found.clock()
    invite, problem = await found.storage.pairing.answer_invite(
        hash_token(answer_key), user_id(update), _first_name(update), accept, now
    )
    texts = found.content.texts
    if problem is InviteProblem.USED and invite is not None:
        partner = await found.storage.pairing.partner_of(user_id(update))
        if partner is not None and partner.user_id == invite.inviter_id:
            # A second tap on Accept, an old Decline after accepting, or a retry after a
            # failure: they are paired, so say that again rather than "ask for a new link".
            await query.answer()
            name = html.escape(invite.inviter_name)
            await context.bot.send_message(chat_id(update), texts.accepted.format(name=name))
            return
    if problem is not None or invite is None:
        await query.answer(texts.stale_button)
        await context.bot.send_message(
            chat_id(update), _problem_text(context, problem or InviteProblem.NOT_FOUND)
        )
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    # The inviter's "accepted"/"declined" was written to the outbox with the answer.
    found.wake(now)
    inviter = html.escape(invite.inviter_name)
    if accept:
        log.info("user=%s accepted an invite from user=%s", user_id(update), invite.inviter_id)
        await context.bot.send_message(chat_id(update), texts.accepted.format(name=inviter))
    else:
        await context.bot.send_message(chat_id(update), texts.declined.format(name=inviter))


@logged
async def ask_to_end(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    texts = context.texts
    paired = await context.storage.pairing.partner_of(user_id(update))
    if paired is None:
        await query.answer(texts.stale_button)
        return
    await query.answer()
    markup = keyboards.grid(
        [(texts.end_pairing_yes_button, views.PARTNER_END_YES)],
        [(texts.end_pairing_no_button, views.PARTNER_END_NO)],
    )
    text = texts.end_pairing_confirm.format(name=html.escape(paired.name))
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def end_pairing(update: Update, context: Context) -> None:
    """Ends the pairing; the other side is told kindly."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if query.data == views.PARTNER_END_NO:
        await context.bot.send_message(chat_id(update), texts.pairing_kept)
        return
    now = context.now()
    ended = await context.storage.pairing.end_pairing(user_id(update), now)
    if ended is None:
        await context.bot.send_message(chat_id(update), texts.not_paired)
        return
    log.info("user=%s ended the pairing with user=%s", user_id(update), ended.user_id)
    context.services.wake(now)  # the partner's notice waits in the outbox
    await context.bot.send_message(
        chat_id(update), texts.pairing_ended.format(name=html.escape(ended.name))
    )


def register(application: AnyApplication) -> None:
    """Before /start: a deep link must reach open_invite, not the welcome."""
    application.add_handler(
        CommandHandler(
            "start", open_invite, filters=PRIVATE & filters.Regex(rf"^/start {DEEP_LINK_PREFIX}")
        )
    )
    application.add_handler(CommandHandler("partner", partner, filters=PRIVATE))
    application.add_handler(
        CallbackQueryHandler(create_invite, pattern=f"^{views.PARTNER_INVITE}$")
    )
    application.add_handler(
        CallbackQueryHandler(revoke_invite, pattern=f"^{views.PARTNER_REVOKE}$")
    )
    application.add_handler(CallbackQueryHandler(ask_to_end, pattern=f"^{views.PARTNER_END}$"))
    application.add_handler(
        CallbackQueryHandler(
            end_pairing, pattern=f"^({views.PARTNER_END_YES}|{views.PARTNER_END_NO})$"
        )
    )
    application.add_handler(
        CallbackQueryHandler(answer_invite, pattern=views.InviteAnswer.pattern())
    )
