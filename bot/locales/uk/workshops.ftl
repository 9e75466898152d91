## Workshops (Ukrainian).

menu-workshops = 📚 Майстер-класи
menu-bookings = 🗓 Мої записи
group-social = 🤝 Соціальна активізація
group-professional = 💼 Професійна активізація
group-community = 🏘 Громадська активізація
ws-groups-title = Які заняття вас цікавлять?
ws-pick = Оберіть майстер-клас:
ws-none = Поки що тут немає майстер-класів.
ws-place = Місце: { $place }
ws-dates = Найближчі дати:
ws-no-dates = Поки що немає дат. Загляньте пізніше.
ws-free-seats = { $count ->
    [one] { $count } вільне місце
    [few] { $count } вільні місця
   *[many] { $count } вільних місць
}
ws-full = місць немає, резервний список: { $waiting }
btn-series = 🔁 Увесь цикл: { $title }
btn-signup = ✅ Записатися
btn-join-waitlist = ⏳ Записатися в резервний список
btn-back = ⬅️ Назад
btn-ics = 📲 Додати в календар
btn-cancel-booking = ❌ Скасувати
btn-leave-waitlist = ❌ Вийти з резервного списку
btn-cancel-yes = Так, скасувати
btn-cancel-no = Ні, залишити
btn-history = 📜 Історія занять
btn-take = ✅ Беру
btn-pass = Відмовляюся
btn-coming = 👍 Прийду
ws-booked = ✅ Ви записані: <b>{ $title }</b>
    { $when }
    Місце: { $place }
    Ми нагадаємо вам про заняття.
ws-already-booked = Ви вже записані: <b>{ $title }</b>
    { $when }
    Місце: { $place }
ws-waiting = Усі місця зайняті. Ви в резервному списку: <b>{ $title }</b>, { $when }.
    Ваше місце в черзі: { $position }. Якщо місце звільниться, ми запропонуємо його вам.
ws-already-waiting = Ви вже в резервному списку: <b>{ $title }</b>, { $when }. Місце в черзі: { $position }.
ws-offer-pending = На вас чекає вільне місце: <b>{ $title }</b>. Дайте відповідь на повідомлення з пропозицією.
ws-closed = Запис на цю дату закрито.
ws-series-booked = Ви записані на весь цикл:
ws-state-confirmed = ✅ є місце
ws-state-waiting = ⏳ резервний список
ws-bookings-title = { $count ->
    [one] У вас { $count } запис:
    [few] У вас { $count } записи:
   *[many] У вас { $count } записів:
}
ws-bookings-empty = У вас немає записів. Оберіть «📚 Майстер-класи», щоб записатися.
ws-booking-confirmed = ✅ <b>{ $title }</b>
    { $when }
    Місце: { $place }
ws-booking-waiting = ⏳ <b>{ $title }</b>, { $when }
    Резервний список, місце в черзі: { $position }
ws-booking-offered = 🎉 <b>{ $title }</b>, { $when }
    Звільнилося місце — берете?
bk-line-workshop = 📚 <b>{ $title }</b>, { $when } — { $state }
bk-line-consult = 💬 <b>{ $service }</b>, { $when }
bk-state-confirmed = ✅ є місце
bk-state-waiting = ⏳ резервний список, місце в черзі: { $position }
bk-state-offered = 🎉 звільнилося місце — дайте відповідь
bk-open-hint = Виберіть запис, щоб відкрити або скасувати його.
bk-page = Сторінка { $page } з { $pages }
ws-history-title = <b>Історія занять</b>
ws-history-empty = У вас ще немає завершених занять.
ws-attended = присутність ✅
ws-absent = відсутність
ws-unmarked = присутність не позначена
ws-cancel-confirm = Скасувати запис: <b>{ $title }</b>, { $when }?
ws-kept = Гаразд, запис залишається.
ws-cancelled = Скасовано. Якщо хтось чекає в резервному списку, він отримає це місце.
ws-already-cancelled = Цей запис уже неактуальний.
ws-cutoff = Уже запізно скасовувати запис у боті. Зателефонуйте в клуб: 58 677 79 87 (пн–пт 8:00–10:00).
ws-offer = 🎉 Звільнилося місце: <b>{ $title }</b>, { $when }.
    Бажаєте його зайняти? Дайте відповідь до: { $deadline }.
ws-offer-passed = Дякуємо за відповідь. Ми запропонуємо місце наступній людині.
ws-offer-gone = Ця пропозиція вже неактуальна.
ws-reminder = Нагадування: заняття в KIS — { $when }.
    <b>{ $title }</b>
    Місце: { $place }
ws-coming-thanks = Дякуємо, до зустрічі!
ws-session-cancelled = Вибачте — заняття <b>{ $title }</b> ({ $when }) скасовано. Ваш запис анульовано.

## Staff screens for sessions.
btn-staff-sessions = 📚 Дати майстер-класів
sw-list-title = Дати на найближчі два тижні (зайнято/місць):
sw-list-empty = Немає дат на найближчі два тижні.
sw-cancelled-mark = (скасовано)
sw-seats = Зайнято місць: { $taken } з { $capacity }
sw-confirmed-title = <b>Записані ({ $count }):</b>
sw-offered-title = <b>Чекають відповіді на пропозицію ({ $count }):</b>
sw-waiting-title = <b>Резервний список ({ $count }):</b>
sw-none = —
btn-rest-absent = Решта: відсутні
btn-capacity = 🔢 Змінити кількість місць
btn-cancel-session = 🚫 Скасувати дату
btn-cancel-session-yes = Так, скасувати й повідомити всіх
sw-cancel-confirm = Скасувати цю дату? Усі записані та люди з резервного списку отримають повідомлення.
sw-already-cancelled = Цю дату вже скасовано.
sw-cancelled-done = { $count ->
    [one] Дату скасовано. Повідомляємо { $count } людину.
    [few] Дату скасовано. Повідомляємо { $count } людини.
   *[many] Дату скасовано. Повідомляємо { $count } людей.
}
sw-capacity-ask = Напишіть нову кількість місць (напр. 12).
ws-capacity-invalid = Вкажіть число, не менше за кількість зайнятих місць (і не більше 1000).
sw-capacity-done = Кількість місць: { $capacity }. Вільні місця пропонуємо людям з резервного списку.
btn-open = Відкрити
btn-sw-catalogue = 🗂 Каталог майстер-класів
sw-catalogue-title = Каталог майстер-класів. Оберіть майстер-клас, щоб редагувати його або додати дату:
btn-sw-new-workshop = ➕ Новий майстер-клас
sw-new-group-ask = До якої групи належить новий майстер-клас?
sw-new-title-ask = Напишіть назву майстер-класу (польською).
sw-session-ask = Напишіть дату, години й (необов'язково) кількість місць та місце, напр.:
    2027-03-02 17:00-19:00 12 MOPS Wejherowo
sw-title-ask = Напишіть нову назву (польською).
sw-desc-ask = Напишіть новий опис (польською, 1–2 речення).
sw-place-ask = Напишіть місце занять, напр. KIS Śródmieście, Wejherowo.
sw-workshop-created = Створено майстер-клас: <b>{ $title }</b>. Додайте опис, місце й дати.
sw-session-added = Додано дату: { $when }, місць: { $capacity }.
sw-saved = Збережено.
sw-workshop-card = <b>{ $title }</b>
    Група: { $group }
    Опис: { $description }
    Місце: { $place }
    Типова кількість місць: { $capacity }
btn-sw-add-session = ➕ Додати дату
btn-sw-edit-title = ✏️ Назва
btn-sw-edit-desc = ✏️ Опис
btn-sw-edit-place = 📍 Місце
sw-session-format = Не розумію. Напишіть, напр.: 2027-03-02 17:00-19:00 12
sw-session-end-before-start = Час закінчення має бути після часу початку.
sw-session-in-past = Ця дата вже минула. Вкажіть майбутню дату.
sw-session-exists = Цей майстер-клас уже має дату на цей час.
sw-title-invalid = Цей текст порожній або задовгий. Спробуйте ще раз.
