## Staff broadcasts (Ukrainian).

btn-bc-menu = 📣 Оголошення
bc-menu = <b>📣 Оголошення</b>
    Надішліть повідомлення учасникам: усім або вибраній групі.
btn-bc-new = ✏️ Нове оголошення
btn-bc-continue = 📝 Продовжити чернетку
btn-bc-history = 📋 Надіслані оголошення
btn-bc-back = ⬅️ Назад

bc-ask-text-pl = Напишіть текст оголошення польською. Його отримають усі, для чиєї мови немає окремої версії.
    Можна також надіслати фото або документ із підписом.
bc-ask-text-uk = Напишіть українську версію (її отримають ті, хто вибрав українську).
bc-ask-text-en = Напишіть англійську версію (її отримають ті, хто вибрав англійську).
bc-ask-media = Надішліть фото або документ. Підпис, якщо ви його додасте, замінить польський текст.
bc-ask-caption = Вкладення додано. Тепер напишіть текст оголошення польською.
bc-ask-dates = Напишіть проміжок дат, напр. 3.12-10.12 (або один день: 3.12).
bc-ask-when = Напишіть дату й час надсилання, напр. 5.12 10:00.

bc-card = <b>📣 Оголошення (чернетка)</b>
    { $text }

    🇺🇦 Українська версія: { $uk }
    🇬🇧 Англійська версія: { $en }
    📎 Вкладення: { $media }
    👥 Одержувачі: { $audience }
    ⏰ Коли: { $when }
    🌙 Нічна тиша: { $quiet }
bc-none = —
bc-media-photo = фото
bc-media-document = документ
bc-when-now = одразу після підтвердження
bc-quiet-respected = уночі надсилання чекає до ранку
bc-quiet-ignored = термінове: надсилання й уночі
btn-bc-text = ✏️ Текст
btn-bc-media = 📎 Вкладення
btn-bc-media-remove = 📎 Видалити вкладення
btn-bc-uk = 🇺🇦 Версія UA
btn-bc-en = 🇬🇧 Версія EN
btn-bc-remove-version = 🗑 Видалити цю версію
btn-bc-audience = 👥 Одержувачі
btn-bc-when = ⏰ Коли
btn-bc-urgent = { $on ->
    [yes] 🚨 Термінове: так
   *[no] 🚨 Термінове: ні
}
btn-bc-preview = 👁 Попередній перегляд
btn-bc-send = ✅ Надіслати…
btn-bc-discard = 🗑 Видалити чернетку

bc-aud-none = не вибрано
bc-aud-all = усі активні учасники
bc-aud-language = учасники, які вибрали мову: { $language }
bc-aud-workshop = записані на майстер-клас «{ $title }»
bc-aud-session = записані на «{ $title }», { $when }
bc-aud-waitlist = лист очікування «{ $title }», { $when }
bc-aud-dates = ті, хто має заняття або консультацію { $start }–{ $end }
bc-aud-gone = (цієї групи вже немає)
bc-aud-count = { $audience } — { $count ->
    [one] { $count } особа
    [few] { $count } особи
   *[many] { $count } осіб
}
bc-aud-skipped = {" "}(пропущено { $count }: заблокували бота)

bc-audience-title = Хто має отримати оголошення?
btn-bc-aud-all = 👥 Усі учасники
btn-bc-aud-workshop = 📚 Записані на майстер-клас
btn-bc-aud-session = 📅 Записані на один термін
btn-bc-aud-waitlist = ⏳ Лист очікування
btn-bc-aud-dates = 🗓 Ті, хто має заняття у вибрані дні
btn-bc-aud-language = 🌐 Особи з однією мовою
bc-pick-workshop = Виберіть майстер-клас (у дужках: скільки осіб записано):
bc-pick-session = Виберіть термін (у дужках: скільки осіб записано):
bc-pick-waitlist = Виберіть термін (у дужках: скільки осіб чекає):
bc-pick-none = Таких найближчих термінів немає.
bc-pick-language = Яка мова?
bc-pick-dates = Виберіть дні або впишіть проміжок дат:
btn-bc-this-week = Цей тиждень
btn-bc-next-week = Наступний тиждень
btn-bc-next-14 = Найближчі 14 днів
btn-bc-type-dates = ✏️ Впишу дати

bc-when-title = Коли надіслати оголошення?
btn-bc-now = ▶️ Одразу після підтвердження
btn-bc-today-evening = Сьогодні о 18:00
btn-bc-tomorrow-morning = Завтра о 9:00
btn-bc-tomorrow-noon = Завтра о 12:00
btn-bc-type-when = ✏️ Впишу дату й час

bc-preview-title = 👁 Попередній перегляд — { $language }:
bc-confirm-now = Надіслати оголошення зараз { $count ->
    [one] { $count } особі
   *[other] { $count } особам
}?
bc-confirm-later = Запланувати оголошення на { $when } для { $count ->
    [one] { $count } особи
   *[other] { $count } осіб
}?
bc-confirm-quiet = 🌙 У цей час нічна тиша, тому надсилання почнеться о { $when }. Якщо це терміново, увімкніть «Термінове».
btn-bc-confirm = ✅ Так, надіслати

bc-report-title = <b>📣 Оголошення</b> ({ $when })
bc-report-audience = 👥 { $audience }: { $count }
bc-state-scheduled = ⏰ Заплановано на { $when }
bc-state-sending = ⏳ Надсилання: { $done } з { $total }…
bc-state-stopping = ⏹ Зупинка…
bc-state-stopped = ⏹ Зупинено
bc-state-done = ✅ Надсилання завершено
bc-report-counts = ✅ Доставлено: { $delivered }
    🚫 Недосяжні (заблокували бота): { $unreachable }
    ⚠️ Не вдалося: { $failed }
bc-report-cancelled = ⏹ Не надіслано: { $count }
bc-report-retrying = 🔁 Повторні спроби: { $count }
btn-bc-stop = ⏹ Зупинити надсилання
btn-bc-stop-yes = ⏹ Так, зупинити
bc-stop-confirm = Зупинити надсилання? Повідомлення, які ще не вийшли ({ $count }), не буде надіслано.
btn-bc-failures = ⚠️ Не доставлено ({ $count })
btn-bc-refresh = 🔄 Оновити
btn-bc-report = 📊 Звіт
bc-finished-notice = 📣 Оголошення надіслано: доставлено { $delivered }, недосяжні { $unreachable }, не вдалося { $failed }.

bc-stopped-notice = ⏹ Оголошення зупинено: доставлено { $delivered }, не надіслано { $cancelled }.

bc-history-title = <b>📋 Надіслані оголошення</b>
    (доставлено / усі одержувачі)
bc-history-empty = Ще не надіслано жодного оголошення.
btn-bc-history-line = { $when } · ✅ { $delivered }/{ $total }
bc-failures-title = <b>⚠️ Не доставлено</b>
bc-failure-blocked = • { $name }: заблокував(ла) бота — варто зателефонувати
bc-failure-failed = • { $name }: { $reason }
bc-failure-unknown = (дані видалено)
bc-failures-none = Усі отримали оголошення.
bc-failures-more = Показую перші { $count }.

bc-text-empty = Текст не може бути порожнім. Напишіть його ще раз.
bc-text-too-long = Задовге повідомлення: щонайбільше 4096 знаків.
bc-caption-too-long = З вкладенням текст може мати щонайбільше 1024 знаки. Скоротіть його або видаліть вкладення.
bc-media-invalid = Цей файл не можна додати. Надішліть фото або документ.
bc-media-expected = Тут надішліть фото або документ (або натисніть «Назад»).
bc-text-expected = Тут надішліть лише текст (вкладення додасте кнопкою «📎 Вкладення»).
bc-no-audience = Спершу виберіть одержувачів.
bc-no-recipients = Ніхто з цієї групи зараз не може отримати повідомлення. Виберіть інших одержувачів.
bc-dates-format = Не розумію дат. Напишіть, напр., 3.12-10.12.
bc-dates-too-long = Щонайбільше 3 місяці за раз.
bc-when-format = Не розумію. Напишіть дату й час, напр. 5.12 10:00.
bc-when-past = Цей час уже минув. Виберіть пізніший.
bc-when-too-far = Щонайбільше на 90 днів наперед.
bc-already-sent = Це оголошення вже підтверджено.
bc-already-finished = Надсилання вже завершилося.
bc-stopped = Зупинено. Не надіслано: { $count }.
bc-discarded = 🗑 Чернетку видалено.
