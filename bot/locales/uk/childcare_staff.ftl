## Childcare: screens of the partner and coordinators (Ukrainian).

btn-cp-pending = { $count ->
    [0] 🧸 Запити на догляд
   *[other] 🧸 Запити на догляд ({ $count })
}
btn-cp-pending-short = 🧸 Запити на догляд
btn-cp-roster = 📋 Графік догляду
btn-cp-open-roster = 📋 Відкрити графік
btn-cp-today = 📅 Сьогодні
btn-cp-approve = ✅ Підтвердити
btn-cp-decline = ❌ Відмовити
btn-cp-reason-typed = ✍️ Інша причина — напишу
cp-reason-full = Немає вільних місць у цей час
cp-reason-age = Вік поза межами догляду

cp-card-title = 🧸 <b>Запит на догляд</b>
cp-new-title = 🧸 <b>Новий запит на догляд</b>
cp-who = 👶 <b>{ $name }</b> — { $kind ->
    [adult] доросла особа
   *[child] дитина
}, { $age } { $age ->
    [one] рік
    [few] роки
   *[other] років
}
cp-who-removed = 👶 (дані підопічного видалено)
cp-needs = Потреби: { $needs }
cp-needs-none = Потреби: без зауважень
cp-when = 🕘 { $day }, { $start }–{ $end }
cp-place = 📍 { $place }
cp-parent = 👤 Батько/мати: { $name }
cp-during = У цей час: { $activity }
cp-moved = 🔁 Час змінився (раніше: { $was }). Вирішіть ще раз.
cp-state-approved = ✅ Підтверджено.
cp-state-declined = ❌ Відмовлено: { $reason }
cp-state-cancelled = 🚫 Скасовано.
cp-state-held = ⏳ Чекає на вільне місце.

cp-pending-title = { $count ->
    [0] 🧸 Немає запитів, що чекають на рішення.
    [one] 🧸 <b>{ $count } запит чекає на рішення:</b>
    [few] 🧸 <b>{ $count } запити чекають на рішення:</b>
   *[other] 🧸 <b>{ $count } запитів чекають на рішення:</b>
}
cp-pending-more = Показую перші { $shown }. Після рішення натисніть «Запити на догляд» ще раз.
cp-decline-ask = Чому відмовляєте? Батьки побачать цю причину.
cp-reason-ask = Коротко напишіть причину відмови для: { $name } (батьки її побачать).
cp-reason-invalid = Напишіть причину (1–{ $max } символів) або натисніть «Скасувати».
cp-already-decided = Хтось уже ухвалив рішення щодо цього запиту.
cp-closed = Цей запит уже неактуальний.
cp-done-approved = Батьки отримають повідомлення, що догляд підтверджено.
cp-done-declined = Батьки отримають повідомлення з причиною відмови.

cp-roster-title = 📋 <b>Графік догляду</b> — { $day }
cp-roster-empty = Цього дня немає підтвердженого догляду.
cp-roster-waiting = { $count ->
    [one] ⏳ { $count } запит на цей день чекає на рішення.
    [few] ⏳ { $count } запити на цей день чекають на рішення.
   *[other] ⏳ { $count } запитів на цей день чекають на рішення.
}
cp-roster-line = <b>{ $start }–{ $end }</b> { $who }
cp-morning-title = 📋 <b>Доброго ранку! Догляд сьогодні</b> — { $day }

cp-cancelled-title = 🚫 <b>Догляд скасовано</b>
cp-cancelled-note = Батьки відмовилися або їхній запис скасовано. Нічого робити не потрібно.
