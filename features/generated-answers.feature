Feature: Answers worded differently on every run
  Bots that write their replies with a language model say the same thing in other words each
  time. The demo bot plays one: it words the check-in time one of three ways, at random.
  `one of` and `in <language>` need no model. The @ai scenarios need one (docs/ai.md): without
  APICHAT_JUDGE_MODEL / APICHAT_EMBEDDINGS_MODEL they are skipped, with one line saying so.

  Scenario: Any of the bot's wordings passes
    Given a new conversation
    When the user says "check-in"
    Then the bot replies one of "Check-in starts at 3 pm. Anything else I can help with?", "You can check in from 3 pm onwards." and "Our check-in time is 3 pm; early check-in depends on availability."
    And the bot says nothing more

  Scenario: A guest who greets in Spanish is answered in Spanish
    Given a new conversation
    When the user says "hola"
    Then the bot replies in Spanish

  Scenario: A guest who greets in French is answered in French
    Given a new conversation
    When the user says 'bonjour'
    Then the bot replies in French

  @ai
  Scenario: The judge reads the meaning, whatever the wording
    Given a new conversation
    When the user says "check-in"
    Then the bot replies to the effect that "guests can check in from 3 pm"

  @ai
  Scenario: The judge checks a criterion over the whole answer
    Given a new conversation
    When the user says "hi"
    Then the judge agrees that the bot's reply "greets the guest and asks what they would like to do"

  @ai
  Scenario: A reply close in meaning to a reference answer
    Given a new conversation
    When the user says "check-in"
    Then the bot replies something like "Check-in is from 3 pm."
