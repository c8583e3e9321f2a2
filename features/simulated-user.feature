@ai
Feature: A simulated user books a room
  A model plays the guest (APICHAT_USER_MODEL, else APICHAT_JUDGE_MODEL): it sees the goal, the
  guest's profile, the conversation so far and the buttons on offer, and says, taps or stops, one
  turn at a time. A judge model then reads the whole conversation. When the goal is met, the
  conversation is written as a scripted scenario to reports/simulated/simulated-user/. Without a
  model these scenarios are skipped with one line (see docs/ai.md, "Simulated users").

  Scenario: A guest books the Deluxe room
    Given a new conversation as "Ann" with email "ann@example.com"
    When a user who wants to "book the Deluxe room" chats with the bot for up to 6 turns
    Then the user's goal is met
    And the judge agrees that the conversation 'gives the guest a booking reference'

  Scenario: A guest asks what the rooms are, after saying hello themselves
    Given a new conversation
    When the user says "hi"
    And a user who wants to 'find out which rooms the hotel has' chats with the bot
    Then the user's goal is met
