## Consultations for participants (Polish).

menu-consult = 💬 Konsultacje
cs-pick-service = Z kim chcesz porozmawiać? Wybierz rodzaj konsultacji:
cs-none = Na razie nie ma konsultacji do wyboru.
cs-need-referral = Na tę konsultację (<b>{ $service }</b>) zapisujemy ze skierowaniem od pracownika socjalnego.
    Porozmawiaj ze swoim pracownikiem socjalnym albo zadzwoń do koordynatora: 58 677 79 87 (pn–pt 8:00–10:00).
    Gdy dostaniesz skierowanie, wróć tutaj i wybierz termin.
cs-quota-used = Wykorzystano już wszystkie spotkania ze skierowania (<b>{ $service }</b>).
    Jeśli potrzebujesz kolejnych, porozmawiaj ze swoim pracownikiem socjalnym.
cs-pick-day = <b>{ $service }</b>
    Wybierz dzień:
cs-sessions-left = { $count ->
    [one] Zostało Ci { $count } spotkanie ze skierowania.
    [few] Zostały Ci { $count } spotkania ze skierowania.
   *[many] Zostało Ci { $count } spotkań ze skierowania.
}
cs-no-days = Na razie nie ma wolnych terminów (<b>{ $service }</b>). Zajrzyj za kilka dni.
cs-pick-time = <b>{ $service }</b>, { $day }
    Wybierz godzinę:
cs-day-gone = Ten dzień jest już zajęty (<b>{ $service }</b>). Wybierz inny.
cs-confirm = Potwierdzasz termin? <b>{ $service }</b>
cs-with = Z: { $name }
cs-place = Miejsce: { $place }
btn-cs-confirm = ✅ Tak, zapisz mnie
btn-cs-confirm-move = ✅ Tak, przenieś
cs-slot-taken = Ktoś właśnie zajął ten termin. Wybierz inny.
cs-booked = ✅ Zapisano. Przypomnimy Ci o spotkaniu.
cs-already = Masz już zaplanowane spotkanie:
cs-booking = 💬 <b>{ $service }</b>
cs-moved-note = ⚠️ Godziny przyjęć się zmieniły. Możesz zostać przy tym terminie albo wybrać inny.
cs-discreet-on = 🔒 Dyskretne przypomnienia: na ekranie blokady nie pokażemy, z kim jest spotkanie.
cs-discreet-off = 🔓 Przypomnienia pokazują rodzaj konsultacji.
btn-cs-move = 🔁 Zmień termin
btn-cs-cancel = ❌ Odwołaj
btn-cs-discreet-on = 🔒 Włącz dyskretne przypomnienia
btn-cs-discreet-off = 🔓 Pokazuj rodzaj konsultacji
cs-cancel-ask = Czy na pewno odwołać to spotkanie?
cs-cancelled = Odwołano spotkanie (<b>{ $service }</b>). Termin jest wolny dla innych. Dziękujemy, że dajesz znać!
cs-too-late = Na odwołanie w bocie jest już za późno. Zadzwoń do koordynatora: 58 677 79 87 (pn–pt 8:00–10:00).
cs-not-active = To spotkanie jest już nieaktualne.
cs-moved = ✅ Termin zmieniony.
cs-coming-thanks = Dziękujemy! Do zobaczenia.
cs-ics-neutral-title = Spotkanie w KIS
cs-day-today = dziś
cs-day-tomorrow = jutro
cs-day-date = { $date }
cs-remind = Przypomnienie: { $service } { $when } o { $time }
cs-remind-neutral = Przypomnienie: Twoja konsultacja w KIS { $when } o { $time }
cs-hours-changed = Zmiana godzin: { $service } { $when } o { $time }
cs-hours-changed-neutral = Zmiana w grafiku KIS: Twoje spotkanie { $when } o { $time }
btn-cs-details = 🔎 Pokaż szczegóły
cs-details-hint = Szczegóły zobaczysz po naciśnięciu „🔎 Pokaż szczegóły”.
btn-cs-pick-time = 📅 Wybierz termin
cs-referral-gone = To skierowanie jest już nieaktualne. Zapytaj swojego pracownika socjalnego.
cs-referral-received = 📝 Masz skierowanie: <b>{ $service }</b>, { $count ->
    [one] { $count } spotkanie
    [few] { $count } spotkania
   *[many] { $count } spotkań
}, ważne do { $until }.
    Termin wybierzesz w „💬 Konsultacje”.
cs-referral-invalid = Ten link ze skierowaniem jest nieważny albo został już użyty. Zapytaj swojego pracownika socjalnego.
mydata-consult-booked = zaplanowane
mydata-referral = 📝 Skierowanie: { $service }, wykorzystano { $used } z { $total }, ważne do { $until }
