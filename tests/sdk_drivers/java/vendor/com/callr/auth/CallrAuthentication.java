package com.callr.auth;

public abstract class CallrAuthentication {}