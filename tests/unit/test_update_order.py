"""PerChatUpdateProcessor: one chat's updates strictly in order, other chats concurrently."""

from __future__ import annotations

import asyncio
import random

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor


def make_update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, None, chat, from_user=user, text=str(update_id))  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_per_chat_order_and_cross_chat_concurrency() -> None:
    processor = PerChatUpdateProcessor(8)
    seen: dict[int, list[int]] = {1: [], 2: [], 3: []}
    running = 0
    peak = 0

    async def handle(update: Update) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(random.uniform(0, 0.01))
        assert update.effective_chat is not None
        seen[update.effective_chat.id].append(update.update_id)
        running -= 1

    tasks = []
    for update_id in range(90):
        update = make_update(update_id, update_id % 3 + 1)
        tasks.append(asyncio.create_task(processor.process_update(update, handle(update))))
    await asyncio.gather(*tasks)
    for chat_id, ids in seen.items():
        assert ids == sorted(ids), f"chat {chat_id} out of order"
        assert len(ids) == 30
    assert peak > 1  # different chats did run at the same time
    assert processor._locks == {}  # idle chats are forgotten
