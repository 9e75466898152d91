## Consultations for participants (Ukrainian).

menu-consult = 💬 Консультації
cs-pick-service = З ким ви хочете поговорити? Виберіть консультацію:
cs-none = Поки що немає консультацій для вибору.
cs-need-referral = На цю консультацію (<b>{ $service }</b>) записуємо за направленням соціального працівника.
    Поговоріть зі своїм соціальним працівником або зателефонуйте координатору: 58 677 79 87 (пн–пт 8:00–10:00).
    Коли отримаєте направлення, поверніться сюди й виберіть час.
cs-quota-used = Усі зустрічі за направленням уже використано (<b>{ $service }</b>).
    Якщо потрібні ще, поговоріть зі своїм соціальним працівником.
cs-pick-day = <b>{ $service }</b>
    Виберіть день:
cs-sessions-left = { $count ->
    [one] За направленням залишилася { $count } зустріч.
    [few] За направленням залишилося { $count } зустрічі.
   *[many] За направленням залишилося { $count } зустрічей.
}
cs-no-days = Поки що немає вільних термінів (<b>{ $service }</b>). Загляньте за кілька днів.
cs-pick-time = <b>{ $service }</b>, { $day }
    Виберіть час:
cs-day-gone = Цей день уже зайнятий (<b>{ $service }</b>). Виберіть інший.
cs-confirm = Підтверджуєте час? <b>{ $service }</b>
cs-with = З: { $name }
cs-place = Місце: { $place }
btn-cs-confirm = ✅ Так, запишіть мене
btn-cs-confirm-move = ✅ Так, перенести
cs-slot-taken = Хтось щойно зайняв цей час. Виберіть інший.
cs-booked = ✅ Записано. Ми нагадаємо вам про зустріч.
cs-already = У вас уже запланована зустріч:
cs-booking = 💬 <b>{ $service }</b>
cs-moved-note = ⚠️ Години прийому змінилися. Можна залишити цей час або вибрати інший.
cs-discreet-on = 🔒 Делікатні нагадування: на заблокованому екрані не буде видно, з ким зустріч.
cs-discreet-off = 🔓 Нагадування показують вид консультації.
btn-cs-move = 🔁 Змінити час
btn-cs-cancel = ❌ Скасувати
btn-cs-discreet-on = 🔒 Увімкнути делікатні нагадування
btn-cs-discreet-off = 🔓 Показувати вид консультації
cs-cancel-ask = Точно скасувати цю зустріч?
cs-cancelled = Зустріч скасовано (<b>{ $service }</b>). Час вільний для інших. Дякуємо, що повідомили!
cs-too-late = Скасувати в боті вже пізно. Зателефонуйте координатору: 58 677 79 87 (пн–пт 8:00–10:00).
cs-not-active = Ця зустріч уже неактуальна.
cs-moved = ✅ Час змінено.
cs-coming-thanks = Дякуємо! До зустрічі.
cs-ics-neutral-title = Зустріч у KIS
cs-day-today = сьогодні
cs-day-tomorrow = завтра
cs-day-date = { $date }
cs-remind = Нагадування: { $service } { $when } о { $time }
cs-remind-neutral = Нагадування: ваша консультація в KIS { $when } о { $time }
cs-hours-changed = Зміна годин: { $service } { $when } о { $time }
cs-hours-changed-neutral = Зміна в розкладі KIS: ваша зустріч { $when } о { $time }
cs-referral-received = 📝 У вас є направлення: <b>{ $service }</b>, { $count ->
    [one] { $count } зустріч
    [few] { $count } зустрічі
   *[many] { $count } зустрічей
}, дійсне до { $until }.
    Час виберете в «💬 Консультації».
cs-referral-invalid = Це посилання з направленням недійсне або вже використане. Зверніться до свого соціального працівника.
mydata-consult-booked = заплановано
mydata-referral = 📝 Направлення: { $service }, використано { $used } з { $total }, дійсне до { $until }
